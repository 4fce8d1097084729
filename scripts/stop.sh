#!/usr/bin/env bash
# Stops every silo start.sh started: SIGTERM (a graceful stop: replies finish, state is saved,
# the silo leaves the cluster), then SIGKILL if it has not exited within the timeout.
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

shopt -s nullglob
supervisors=("$RUN_DIR"/supervisor-*.pid)
if ((${#supervisors[@]} == 0)); then
  say "Nothing is running (no pid files in $RUN_DIR/)."
  exit 0
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
  rm -f "$file" "$RUN_DIR/silo-$index.pid" "$RUN_DIR/stop-$index"
  say "Removed the pid files of silo $index."
done

exit "$failed"
