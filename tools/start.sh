#!/usr/bin/env bash
# npm start: OneVoice embedded (one process, nothing to install but Node), or, with OV_BUS=kafka,
# the distributed mode (npm run start:kafka: Kafka, Postgres and a process per service).
cd "$(dirname "$0")/.."
case "${OV_BUS:-embedded}" in
  embedded) exec node -r @swc-node/register apps/onevoice/src/main.ts ;;
  kafka) exec node -r @swc-node/register tools/start.ts ;;
  *) echo "OV_BUS must be embedded or kafka, not \"$OV_BUS\"" >&2; exit 2 ;;
esac
