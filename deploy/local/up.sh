#!/usr/bin/env bash
# Makes this machine ready to run or test OneVoice without Docker, idempotently:
#   - kcat (a Kafka client that is not OneVoice's, for the tests and for you), from Debian's packages;
#   - with --for-tests, chromium (Debian's), which the preference-centre browser test drives;
#   - PostgreSQL answering on 127.0.0.1:5432 (started when it is installed but stopped),
#     with the `onevoice` database;
#   - a single-node Kafka broker on 127.0.0.1:9092 (deploy/local/kafka.sh).
# KAFKA_BROKERS / DATABASE_URL, when set, mean "use those": nothing local is started for them.
#
#   deploy/local/up.sh              everything above
#   deploy/local/up.sh --for-tests  the same, but leaves Kafka and Postgres to testcontainers when a
#                                   Docker engine answers
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say() { echo "[up] $*" >&2; }

for_tests=false
[ "${1:-}" = "--for-tests" ] && for_tests=true

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi
}

# Installs a Debian package unless `command` is already there.
ensure_package() {
  local package=$1 command=$2 why=$3
  command -v "$command" >/dev/null && return 0
  say "installing $package from Debian's packages ($why)"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y -qq "$package" >/dev/null 2>&1; then
    as_root apt-get update -qq >/dev/null 2>&1 || true
    as_root apt-get install -y -qq "$package" >/dev/null 2>&1 || {
      say "could not install $package (needs root or sudo); install it yourself: apt-get install $package"
      return 1
    }
  fi
}

pg_answers() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then say "using DATABASE_URL from the environment"; return 0; fi
  if ! pg_answers; then
    if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
      local version
      version=$(ls /etc/postgresql | sort -V | tail -n 1)
      say "starting PostgreSQL $version"
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
      echo "$version" >"${OV_LOCAL_DIR:-$here/../../.local}/.postgres-started-by-up" 2>/dev/null || true
    fi
    for _ in $(seq 1 30); do pg_answers && break; sleep 0.5; done
    pg_answers || { say "PostgreSQL does not answer on 127.0.0.1:5432; set DATABASE_URL or start it"; return 1; }
  fi
  if command -v psql >/dev/null; then
    if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'onevoice'" | grep -q 1; then
      say "creating database onevoice"
      psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE onevoice' || true
    fi
  fi
}

docker_answers() { command -v docker >/dev/null && timeout 5 docker info >/dev/null 2>&1; }

mkdir -p "${OV_LOCAL_DIR:-$here/../../.local}"
ensure_package kcat kcat "a Kafka client for the tests and for you" || true
# The preference-centre browser test drives Debian's chromium with playwright-core.
$for_tests && { ensure_package chromium chromium "the browser test" || true; }
if $for_tests && docker_answers; then
  say "a Docker engine answers: the tests start Kafka and Postgres with testcontainers"
  exit 0
fi
ensure_postgres
if [ -n "${KAFKA_BROKERS:-}" ]; then
  say "using KAFKA_BROKERS=$KAFKA_BROKERS from the environment"
else
  "$here/kafka.sh" start
fi
