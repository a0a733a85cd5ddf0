#!/usr/bin/env bash
# libfaketime (Debian's libfaketime package), unpacked under .local/faketime without installing
# it: the chaos run (npm run chaos) starts a dispatcher on a host clock 90 s fast with it.
# Idempotent; prints the library's path. Where apt-get cannot fetch it, says so and fails: the
# chaos run then moves that dispatcher's own clock instead (OV_CLOCK_OFFSET_MS).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir="${OV_LOCAL_DIR:-$here/../../.local}/faketime"
lib="$dir/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
if [ -f "$lib" ]; then echo "$lib"; exit 0; fi
command -v apt-get >/dev/null && command -v dpkg >/dev/null || {
  echo "[faketime] apt-get and dpkg are needed to fetch libfaketime" >&2
  exit 1
}
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download libfaketime >/dev/null 2>&1) || {
  (apt-get update -qq >/dev/null 2>&1 || true)
  (cd "$tmp" && apt-get download libfaketime >/dev/null 2>&1)
} || {
  echo "[faketime] could not fetch Debian's libfaketime" >&2
  exit 1
}
dpkg -x "$tmp"/libfaketime_*.deb "$dir"
[ -f "$lib" ] || { echo "[faketime] libfaketime.so.1 not found in the package" >&2; exit 1; }
echo "$lib"
