#!/usr/bin/env bash
# npm test: Kafka and Postgres made ready (deploy/local/up.sh), the unit and integration suites
# (jest, with any arguments given), then a short chaos run (docs/chaos.md) unless
# OV_TEST_CHAOS=off. Fails if either fails.
set -uo pipefail
cd "$(dirname "$0")/.."
bash deploy/local/up.sh --for-tests || exit 1
status=0
npx jest --runInBand "$@" || status=$?
if [ "${OV_TEST_CHAOS:-on}" != off ]; then
  echo "[test] a short chaos run: npm run chaos -- --inputs 2000 --faults 8 --fuzz 26" >&2
  node -r @swc-node/register tools/chaos/chaos.ts --inputs 2000 --faults 8 --fuzz 26 || status=1
fi
exit $status
