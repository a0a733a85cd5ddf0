#!/usr/bin/env bash
# Why the Kafka suite (and anything else that needs Kafka and Postgres) cannot run here: prints
# what is missing, separated by ";", or nothing when it can. Used by tools/test.sh and
# npm run bench:embedded.
if [ -n "${KAFKA_BROKERS:-}" ] && [ -n "${DATABASE_URL:-}" ]; then exit 0; fi
if command -v docker >/dev/null && timeout 5 docker info >/dev/null 2>&1; then exit 0; fi
missing=()
if [ -z "${KAFKA_BROKERS:-}" ]; then
  command -v java >/dev/null || missing+=("java (Java 17, to run the Kafka broker)")
  command -v mvn >/dev/null || missing+=("mvn (Maven, to fetch the broker)")
fi
if [ -z "${DATABASE_URL:-}" ] && ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null &&
  ! { command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; }; then
  missing+=("a PostgreSQL server on 127.0.0.1:5432 (or DATABASE_URL)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  IFS=';'
  echo "${missing[*]}"
fi
