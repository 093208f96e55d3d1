#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for the tests that need one, on loopback,
# owned by the `postgres` user (initdb refuses root), tuned for speed not
# durability (fsync off: a test cluster is thrown away).
#
#   eval "$(bash scripts/postgres.sh start)"   # exports ORCHESTRATOR_TEST_DATABASE_URL
#   cargo test --workspace --all-features --locked
#   bash scripts/postgres.sh stop
#
# Installs postgresql-15 from Debian's packages only if the binaries are
# missing. The tests create one database per test from that URL.
set -euo pipefail
cd "$(dirname "$0")/.."
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${ORCHESTRATOR_TEST_PG_PORT:-55432}
STATE=target/postgres-cluster   # remembers where the running cluster lives

start() {
  if [ ! -x "$PGBIN/postgres" ]; then
    echo "installing postgresql-15" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >&2
  fi
  if [ -f "$STATE" ] && [ -d "$(cat "$STATE")/data" ]; then
    stop >&2 || true
  fi
  local dir
  dir=$(mktemp -d /tmp/orchestrator-pg.XXXXXX)
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$dir"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
  "${as[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
    "-p $PORT -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
    start >/dev/null
  mkdir -p "$(dirname "$STATE")"
  echo "$dir" > "$STATE"
  echo "export ORCHESTRATOR_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
}

stop() {
  [ -f "$STATE" ] || return 0
  local dir
  dir=$(cat "$STATE")
  local as=()
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  if [ -d "$dir/data" ]; then
    "${as[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir" "$STATE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
