#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 for the tests, and print its URL.
#   export PLUGSTACK_TEST_POSTGRES_URL=$(bash scripts/start-postgres.sh)
# Installs the server from Debian's packages if it is missing. Runs as the `postgres`
# user because initdb refuses root.
set -euo pipefail
port="${PLUGSTACK_PG_PORT:-54329}"
dir="${PLUGSTACK_PG_DIR:-/tmp/plugstack-pg}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if ! as_pg "$bin/pg_isready -q -h 127.0.0.1 -p $port"; then
  rm -rf "$dir" && mkdir -p "$dir" && chown -R postgres "$dir" 2>/dev/null || true
  as_pg "$bin/initdb -D $dir/data -U postgres --auth=trust" >/dev/null
  as_pg "$bin/pg_ctl -D $dir/data -l $dir/log -o '-h 127.0.0.1 -p $port -k $dir' -w start" >&2
  as_pg "$bin/createdb -h 127.0.0.1 -p $port -U postgres plugstack_test" >&2
fi
echo "postgresql+asyncpg://postgres@127.0.0.1:$port/plugstack_test"
