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

# Why the Kafka suite cannot run here, if it cannot (nothing when it can).
kafka_missing() {
  if [ -n "${KAFKA_BROKERS:-}" ] && [ -n "${DATABASE_URL:-}" ]; then return 0; fi
  if command -v docker >/dev/null && timeout 5 docker info >/dev/null 2>&1; then return 0; fi
  local missing=()
  if [ -z "${KAFKA_BROKERS:-}" ]; then
    command -v java >/dev/null || missing+=("java (Java 17, to run the Kafka broker)")
    command -v mvn >/dev/null || missing+=("mvn (Maven, to fetch the broker)")
  fi
  if [ -z "${DATABASE_URL:-}" ] && ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null &&
    ! { command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; }; then
    missing+=("a PostgreSQL server on 127.0.0.1:5432 (or DATABASE_URL)")
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    local IFS=';'
    echo "${missing[*]}"
  fi
}

status=0
ran=()
skipped=()
if [[ $modes == *embedded* ]]; then
  say "unit specs, and the integration specs against OneVoice embedded (no Kafka, no Postgres server)"
  npx jest --runInBand --passWithNoTests --selectProjects unit embedded "${embedded_args[@]}" || status=1
  ran+=("unit + embedded")
fi
if [[ $modes == *kafka* ]]; then
  why=$(kafka_missing)
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
