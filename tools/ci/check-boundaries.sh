#!/usr/bin/env bash
# Proves the module boundaries are enforced, not merely configured: a contracts file that
# imports the messaging library (type:contracts → type:infrastructure) must fail lint.
set -euo pipefail
cd "$(dirname "$0")/../.."
probe=libs/contracts/src/boundary-probe.ts
trap 'rm -f "$probe"' EXIT
printf "import { outbound } from '@onevoice/messaging';\n\nexport const probe = outbound;\n" >"$probe"
if out=$(NX_DAEMON=false npx eslint --max-warnings 0 "$probe" 2>&1); then
  echo "module boundaries are NOT enforced: contracts may import messaging" >&2
  exit 1
fi
if ! grep -q 'enforce-module-boundaries' <<<"$out"; then
  echo "lint failed on the probe, but not for its boundary violation:" >&2
  echo "$out" >&2
  exit 1
fi
echo "module boundaries enforced: contracts → messaging is refused"
