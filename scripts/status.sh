#!/usr/bin/env bash
# Shows what of this installation runs: each silo start.sh started (its supervisor and silo
# processes, pid files, HTTP, silo and gateway ports, and whether /health/ready answers), processes
# of this checkout that no pid file names (orphans), and the database with its write-ahead log.
#
#   scripts/status.sh
#
# Exit code 0 when every silo with pid files runs and is ready, 3 when nothing runs, 1 otherwise.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
case "${1:-}" in
  "") ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

shopt -s nullglob
supervisors=("$RUN_DIR"/supervisor-*.pid)
status=0
ready=0
for file in "${supervisors[@]}"; do
  i="${file##*/supervisor-}"
  i="${i%.pid}"
  supervisor=$(read_pid "$file")
  silo=$(read_pid "$RUN_DIR/silo-$i.pid")
  mapfile -t ports < <(cat "$RUN_DIR/silo-$i.ports" 2>/dev/null)
  http="${ports[0]:-unknown}"
  files=""
  for name in "supervisor-$i.pid" "silo-$i.pid"; do
    [[ -f "$RUN_DIR/$name" ]] && files+="$RUN_DIR/$name "
  done
  if ! alive "$supervisor"; then
    say "Silo $i: not running; stale pid files ${files}(scripts/start.sh removes them)"
    status=1
    continue
  fi
  if alive "$silo"; then
    state="running"
  else
    state="being started again by its supervisor"
    silo="-"
  fi
  if [[ "$http" != unknown ]] && curl --silent --fail --max-time 2 "$http/health/ready" >/dev/null 2>&1; then
    health="ready"
    ready=$((ready + 1))
  else
    health="not ready"
    status=1
  fi
  say "Silo $i: $state, $health (supervisor pid $supervisor, silo pid $silo)"
  say "  HTTP $http, silo port ${ports[1]:-unknown}, gateway port ${ports[2]:-unknown}"
  say "  pid files: $files"
done
shopt -u nullglob

mapfile -t processes < <(instance_processes)
orphans=()
for entry in "${processes[@]}"; do
  pid=${entry#* }
  if ! grep -qx "$pid" "$RUN_DIR"/*.pid 2>/dev/null; then
    orphans+=("$entry")
  fi
done
if ((${#orphans[@]} > 0)); then
  say "Orphans (running, named by no pid file; scripts/stop.sh stops them): ${orphans[*]}"
  status=1
fi

db=$(database_path)
if uses_sqlite && [[ -f "$db" ]]; then
  wal=0
  [[ -f "$db-wal" ]] && wal=$(stat -c %s "$db-wal")
  say "Database: $db, $(( $(stat -c %s "$db") / 1024 )) KB, write-ahead log $((wal / 1024)) KB"
fi

if ((${#supervisors[@]} == 0 && ${#orphans[@]} == 0)); then
  say "Nothing of this installation is running."
  exit 3
fi
exit "$status"
