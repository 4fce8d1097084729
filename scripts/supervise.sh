#!/usr/bin/env bash
# The supervisor loop start.sh runs for one silo: starts it, and starts it again when it exits
# asking for a restart (75), when start.sh asked for a restart (run/restart-N: a new bot token),
# or when it crashes; stops on a clean exit (0), a configuration error (2), a stop request from
# stop.sh, or more than 5 crashes in 5 minutes. Each start records the fingerprint of the bot
# token the silo reads (run/silo-N.token), for start.sh to compare.
#
#   scripts/supervise.sh INDEX DLL     (started by start.sh; not meant to be run by hand)
set -uo pipefail
source "$(dirname "$0")/lib.sh"

index="$1"
dll="$2"
pid_file="$RUN_DIR/silo-$index.pid"
stop_file="$RUN_DIR/stop-$index"
crashes=()

# Tells the silo that something will start it again after a requested restart (exit code 75);
# without a supervisor it refuses automatic and forced restarts instead of exiting for good.
export ASSISTANT_SUPERVISOR="scripts/supervise.sh"

stamp() { date -u '+%Y-%m-%d %H:%M:%S'; }

restart_file="$RUN_DIR/restart-$index"

while true; do
  token_fingerprint >"$RUN_DIR/silo-$index.token"
  dotnet "$dll" &
  child=$!
  echo "$child" >"$pid_file"
  echo "$(stamp) supervisor: silo $index started (pid $child)"
  wait "$child"
  code=$?
  rm -f "$pid_file"
  if [[ -f "$stop_file" ]]; then
    echo "$(stamp) supervisor: silo $index stopped (exit $code) on request"
    break
  fi
  if [[ -f "$restart_file" ]]; then
    rm -f "$restart_file"
    echo "$(stamp) supervisor: silo $index stopped (exit $code) for a restart start.sh asked for; starting it again"
    continue
  fi
  case "$code" in
    75) echo "$(stamp) supervisor: silo $index asked for a restart; starting it again" ;;
    0) echo "$(stamp) supervisor: silo $index exited normally"; break ;;
    2) echo "$(stamp) supervisor: silo $index could not start (configuration or database); not restarting"; break ;;
    *)
      if ((code == 137)); then
        # SIGKILL: an operator's kill -9 (which does not release the database for good: the silo
        # comes back on the same file) or the kernel's out-of-memory killer; counted as a crash.
        echo "$(stamp) supervisor: silo $index was killed (SIGKILL, exit 137). To release the database instead, stop the service: scripts/stop.sh"
      fi
      now=$(date +%s)
      recent=()
      for at in "${crashes[@]}" "$now"; do
        ((now - at < 300)) && recent+=("$at")
      done
      crashes=("${recent[@]}")
      if ((${#crashes[@]} > 5)); then
        echo "$(stamp) supervisor: silo $index crashed ${#crashes[@]} times in 5 minutes (last exit $code); giving up"
        break
      fi
      echo "$(stamp) supervisor: silo $index crashed (exit $code); starting it again in 5 s"
      sleep 5
      ;;
  esac
done

rm -f "$stop_file" "$restart_file" "$RUN_DIR/silo-$index.token" "$RUN_DIR/supervisor-$index.pid"
