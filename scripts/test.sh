#!/usr/bin/env bash
# Runs the whole test suite (CI runs this through .ci/run).
#
#   scripts/test.sh [dotnet test options]
#
# The storage, reminder, clustering and chaos tests run on SQLite and on PostgreSQL. Unless
# ASSISTANT_TEST_POSTGRES already gives a connection string, this starts a throwaway PostgreSQL
# server on loopback (a temporary data folder, trust authentication, fsync off) and stops it at
# the end. What is missing is installed from Debian's packages first: curl (used by the operator
# scripts under test), postgresql, prometheus (promtool checks the alert rules in
# deploy/prometheus, and a real server evaluates them) and chromium (Playwright drives it to test
# the operator console; no browser is downloaded). That needs root or sudo, once.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v curl >/dev/null 2>&1 || missing+=(curl)
[[ -x /usr/bin/promtool && -x /usr/bin/prometheus ]] || missing+=(prometheus)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "${ASSISTANT_TEST_POSTGRES:-}" && -z "$pg_bin" ]]; then
  missing+=(postgresql)
fi
if ((${#missing[@]} > 0)); then
  echo "Installing ${missing[*]} from Debian's packages ..."
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi

if [[ -z "${ASSISTANT_TEST_POSTGRES:-}" ]]; then
  [[ -n "$pg_bin" ]] || { echo "error: PostgreSQL is not installed and could not be" >&2; exit 1; }
  pg_dir=$(mktemp -d /tmp/assistant-pg-XXXXXX)
  port=55432
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  run_pg=()
  if [[ $(id -u) -eq 0 ]]; then
    # PostgreSQL refuses to run as root: its files and processes belong to the postgres user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$pg_dir"
    run_pg=(runuser -u postgres --)
  fi
  # Run from its own folder: the postgres user may not enter the clone's (mktemp makes it private).
  (cd "$pg_dir" && "${run_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null)
  (cd "$pg_dir" && "${run_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -s \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400" start)
  stop_postgres() {
    (cd "$pg_dir" && "${run_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w -s stop) || true
    rm -rf "$pg_dir"
  }
  trap stop_postgres EXIT
  export ASSISTANT_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port"
fi

dotnet test Orleans.sln -c Release --logger "console;verbosity=normal" "$@"
