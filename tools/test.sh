#!/usr/bin/env bash
# npm test: the unit specs and the integration specs against OneVoice embedded (Node only), then —
# where Kafka and a Postgres server can be had — the integration specs against Kafka + Postgres and
# a short chaos run (docs/chaos.md; OV_TEST_CHAOS=off skips it). Says what it skipped and why.
# Any arguments go to jest; `--outputFile=F` writes the embedded run's results to F-embedded.json
# beside F (the Kafka run's to F). OV_TEST_MODES=embedded or kafka runs one mode only.
set -uo pipefail
cd "$(dirname "$0")/.."
say() { echo "[test] $*" >&2; }

modes=${OV_TEST_MODES:-embedded,kafka}
embedded_args=()
for arg in "$@"; do
  case $arg in
    --outputFile=*) embedded_args+=("${arg%.json}-embedded.json") ;;
    *) embedded_args+=("$arg") ;;
  esac
done

status=0
ran=()
skipped=()
if [[ $modes == *embedded* ]]; then
  say "unit specs, and the integration specs against OneVoice embedded (no Kafka, no Postgres server)"
  npx jest --runInBand --passWithNoTests --selectProjects unit embedded "${embedded_args[@]}" || status=1
  ran+=("unit + embedded")
fi
if [[ $modes == *kafka* ]]; then
  why=$(bash tools/kafka-missing.sh)
  if [ -n "$why" ]; then
    skipped+=("the Kafka suite (integration specs against Kafka + Postgres, and the chaos run): missing ${why//;/, }")
  elif ! bash deploy/local/up.sh --for-tests; then
    say "deploy/local/up.sh could not make Kafka and Postgres ready"
    status=1
  else
    say "the integration specs against Kafka and Postgres"
    npx jest --runInBand --passWithNoTests --selectProjects integration "$@" || status=1
    ran+=("Kafka + Postgres")
    if [ "${OV_TEST_CHAOS:-on}" != off ]; then
      say "a short chaos run: npm run chaos -- --inputs 2000 --faults 8 --fuzz 26"
      node -r @swc-node/register tools/chaos/chaos.ts --inputs 2000 --faults 8 --fuzz 26 || status=1
    else
      skipped+=("the chaos run: OV_TEST_CHAOS=off")
    fi
  fi
fi
say "ran: ${ran[*]:-nothing}"
for s in "${skipped[@]}"; do say "SKIPPED $s"; done
[ $status = 0 ] && say "all passed" || say "FAILED (see above)"
exit $status
