#!/usr/bin/env bash
# Stops every silo start.sh started: SIGTERM (a graceful stop: replies finish, state is saved,
# the silo leaves the cluster), then SIGKILL if it has not exited within the timeout. Then it
# stops orphans (silos and supervisors of this checkout and working directory whose pid files
# are gone) the same way, and releases the database: a WAL checkpoint folds the write-ahead log
# back into the SQLite file.
#
#   scripts/stop.sh [--timeout 60]      (or ASSISTANT_STOP_TIMEOUT)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

timeout="${ASSISTANT_STOP_TIMEOUT:-60}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$timeout" =~ ^[0-9]+$ ]] || die "--timeout must be whole seconds (was '$timeout')"

# Sends SIGTERM, waits up to the timeout, then SIGKILL. Returns 1 when it had to kill.
stop_pid() {
  local pid=$1 what=$2 t
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((t = 0; t < timeout * 10; t++)); do
    alive "$pid" || { say "$what stopped gracefully in $((t / 10)).$((t % 10)) s."; return 0; }
    sleep 0.1
  done
  warn "$what did not stop within ${timeout} s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  return 1
}

shopt -s nullglob
supervisors=("$RUN_DIR"/supervisor-*.pid)
if ((${#supervisors[@]} == 0)); then
  say "No pid files in $RUN_DIR/."
fi

failed=0
for file in "${supervisors[@]}"; do
  index="${file##*/supervisor-}"
  index="${index%.pid}"
  supervisor=$(read_pid "$file")
  silo=$(read_pid "$RUN_DIR/silo-$index.pid")
  touch "$RUN_DIR/stop-$index"
  if alive "$silo"; then
    say "Stopping silo $index (pid $silo) ..."
    kill -TERM "$silo"
    for ((t = 0; t < timeout * 10; t++)); do
      alive "$silo" || break
      sleep 0.1
    done
    if alive "$silo"; then
      warn "silo $index (pid $silo) did not stop within ${timeout} s; killing it"
      kill -KILL "$silo" 2>/dev/null || true
      failed=1
    else
      say "Silo $index stopped gracefully in $((t / 10)).$((t % 10)) s."
    fi
  else
    say "Silo $index was not running."
  fi
  for ((t = 0; t < 50; t++)); do
    alive "$supervisor" || break
    sleep 0.1
  done
  if alive "$supervisor"; then
    kill -TERM "$supervisor" 2>/dev/null || true
  fi
  rm -f "$file" "$RUN_DIR/silo-$index.pid" "$RUN_DIR/stop-$index" "$RUN_DIR/silo-$index.ports"
  say "Removed the pid files of silo $index."
done

# Orphans: what the pid files no longer name (a deleted run/ folder, a start.sh killed half way).
# Supervisors first, so none of them starts its silo again.
mapfile -t orphans < <(instance_processes)
for entry in "${orphans[@]}"; do
  [[ "$entry" == supervisor* ]] && kill -TERM "${entry#supervisor }" 2>/dev/null || true
done
for entry in "${orphans[@]}"; do
  if [[ "$entry" == silo* ]]; then
    pid=${entry#silo }
    say "Found silo pid $pid of this installation without a pid file (an orphan); stopping it ..."
    stop_pid "$pid" "Orphan silo (pid $pid)" || failed=1
  fi
done
if ((${#supervisors[@]} == 0 && ${#orphans[@]} == 0)); then
  say "Nothing is running."
fi

# Release the database: fold the write-ahead log back in, so the file is whole on its own.
db=$(database_path)
if uses_sqlite && [[ -f "$db" ]]; then
  if [[ ! -s "$db-wal" ]]; then
    say "Database released: $db has no write-ahead log left (the silos folded it in as they stopped)."
  elif [[ -f "$DLL" ]] && out=$(dotnet "$DLL" maintenance checkpoint 2>&1); then
    say "Database released: $out"
  else
    warn "the WAL checkpoint of $db failed: ${out:-the service is not built}; scripts/start.sh folds it in at the next start"
  fi
fi

exit "$failed"
