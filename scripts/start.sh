#!/usr/bin/env bash
# Starts the service in the background, supervised, and returns once every silo is ready
# (GET /health/ready: healthy, active in the cluster, not restarting).
#
#   scripts/start.sh [--port 9000] [--silos 1] [--host localhost]
#
# --port    HTTP port of the first silo (default 9000).
# --host    Address the HTTP front end binds (default localhost: this machine only). Any other
#           address (0.0.0.0, a public IP) needs Admin__ApiKey set, or the silo refuses to start.
# --silos   Silos to run on this host, sharing the database, on consecutive HTTP, silo and
#           gateway ports (9000.., 11111.., 30000..). Default 1.
# Environment variables given to this script reach the silos (AI__Endpoint=... scripts/start.sh).
# Before starting it refuses a second instance, checks disk space and the Telegram token, and
# checks the database (folds a WAL left by a crash back in; stops on a failed integrity check).
# Each silo runs under a supervisor loop that starts it again when it exits for a restart (75)
# or crashes; pid files and supervisor logs are in run/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

port=9000
silos=1
host=localhost
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="${2:?--port needs a number}"; shift 2 ;;
    --silos) silos="${2:?--silos needs a number}"; shift 2 ;;
    --host) host="${2:?--host needs an address}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$port" =~ ^[0-9]+$ && "$port" -ge 1 && "$port" -le 65535 ]] || die "--port must be a port number (was '$port')"
[[ "$silos" =~ ^[0-9]+$ && "$silos" -ge 1 && "$silos" -le 16 ]] || die "--silos must be between 1 and 16 (was '$silos')"
need curl "install it (apt-get install curl) — it checks /health/ready"

# IPv6 addresses go in brackets in a URL; readiness is asked where the silo listens.
bind="$host"
[[ "$host" == *:* && "$host" != \[* ]] && bind="[$host]"
case "$host" in
  0.0.0.0 | '*' | + | localhost) probe=127.0.0.1 ;;
  :: | '[::]') probe='[::1]' ;;
  *) probe="$bind" ;;
esac

silo_base="${Cluster__SiloPort:-11111}"
gateway_base="${Cluster__GatewayPort:-30000}"
mkdir -p "$RUN_DIR"

# 1. One instance only.
for ((i = 1; i <= silos; i++)); do
  pid=$(read_pid "$RUN_DIR/supervisor-$i.pid")
  if alive "$pid"; then
    die "silo $i is already running (supervisor pid $pid, $RUN_DIR/supervisor-$i.pid); stop it first with scripts/stop.sh"
  elif [[ -n "$pid" ]]; then
    say "Lock recovery: removed the stale pid files of silo $i (supervisor pid $pid is not running; the last run did not stop cleanly)."
    rm -f "$RUN_DIR/supervisor-$i.pid" "$RUN_DIR/silo-$i.pid" "$RUN_DIR/stop-$i"
  fi
  for p in $((port + i - 1)) $((silo_base + i - 1)) $((gateway_base + i - 1)); do
    if port_in_use "$p"; then
      die "port $p is already in use (another instance, or another program); stop it or choose --port"
    fi
  done
done

# 2. Disk space where the data lives.
db=$(database_path)
mkdir -p "$(dirname "$db")"
free_kb=$(df -Pk "$(dirname "$db")" | awk 'NR == 2 { print $4 }')
if [[ "$free_kb" -lt 204800 ]]; then
  die "only $((free_kb / 1024)) MB free on the disk of $(dirname "$db"); free some space (old backups, logs) before starting"
elif [[ "$free_kb" -lt 1048576 ]]; then
  warn "only $((free_kb / 1024)) MB free on the disk of $(dirname "$db")"
fi

# 3. The Telegram token, when there is one.
token="${Telegram__BotToken:-}"
secrets="${Telegram__SecretsFile:-secrets/telegram.json}"
if [[ -z "$token" && -f "$secrets" ]]; then
  token=$(sed -n 's/.*"BotToken": *"\([^"]*\)".*/\1/p' "$secrets")
fi
if [[ -n "$token" ]]; then
  base="${Telegram__ApiBaseUrl:-https://api.telegram.org}"
  base="${base%/}"
  if answer=$(printf 'url = "%s/bot%s/getMe"\n' "$base" "$token" | curl --silent --max-time 10 -X POST --config - 2>/dev/null); then
    if [[ "$answer" == *'"ok":true'* ]]; then
      say "Telegram token OK (@$(sed -n 's/.*"username":"\([^"]*\)".*/\1/p' <<<"$answer"))."
    else
      die "Telegram refused the bot token: $(sed -n 's/.*"description":"\([^"]*\)".*/\1/p' <<<"$answer"). Run scripts/telegram_login.sh with a valid token, or unset it."
    fi
  else
    warn "could not reach the Bot API at $base to check the token; starting anyway (the channel will show disconnected)"
  fi
fi

ensure_built

# 4. The database: fold back a WAL left by a crash, then check integrity (read-only for a bad file).
if uses_sqlite && [[ -f "$db" ]]; then
  if [[ -s "$db-wal" ]]; then
    say "Lock recovery: found a write-ahead log of $(( $(stat -c %s "$db-wal") / 1024 )) KB left by the last run; folding it back into $db ..."
    folded=$(dotnet "$DLL" maintenance checkpoint) || die "the WAL checkpoint of $db failed; see logs/system.log"
    say "  $folded"
  fi
  say "Checking the integrity of $db ..."
  if ! report=$(dotnet "$DLL" maintenance integrity-check 2>&1); then
    cat >&2 <<MSG
error: the database $db failed its integrity check:
  $report
It has been left untouched. To recover:
  1. keep the damaged file for inspection:  mv $db $db.damaged-\$(date +%Y%m%d%H%M%S); rm -f $db-wal $db-shm
  2. restore the newest backup:             scripts/backup.sh restore \$(ls -t backup/system-*.db | head -1)
     (or start with an empty database by doing only step 1)
  3. start again:                           scripts/start.sh
See docs/operations.md, "Troubleshooting".
MSG
    exit 1
  fi
fi

# 5. Start each silo under its supervisor.
for ((i = 1; i <= silos; i++)); do
  http=$((port + i - 1))
  rm -f "$RUN_DIR/stop-$i"
  ASPNETCORE_URLS="http://$bind:$http" Cluster__SiloPort=$((silo_base + i - 1)) Cluster__GatewayPort=$((gateway_base + i - 1)) \
    nohup bash "$ROOT/scripts/supervise.sh" "$i" "$DLL" >>"$RUN_DIR/supervisor-$i.log" 2>&1 &
  echo $! >"$RUN_DIR/supervisor-$i.pid"
done

# 6. Wait until every silo is ready. /health answers while a silo is still joining the cluster;
#    /health/ready only once it is active in it, so "running" below means every silo has joined.
for ((i = 1; i <= silos; i++)); do
  http=$((port + i - 1))
  say "Waiting for silo $i on port $http to join the cluster ..."
  for ((t = 0; ; t++)); do
    if ready=$(curl --silent --fail-with-body --max-time 2 "http://$probe:$http/health/ready" 2>/dev/null); then
      break
    fi
    if ! alive "$(read_pid "$RUN_DIR/supervisor-$i.pid")"; then
      tail -n 20 "$RUN_DIR/supervisor-$i.log" >&2
      die "silo $i stopped during start-up; see above and $RUN_DIR/supervisor-$i.log"
    fi
    if ((t >= 240)); then
      die "silo $i was not ready within 120 s (last /health/ready: ${ready:-no answer}); see $RUN_DIR/supervisor-$i.log and logs/system.log"
    fi
    sleep 0.5
  done
done

say ""
say "The assistant is running ($silos silo(s))."
for ((i = 1; i <= silos; i++)); do
  http=$((port + i - 1))
  say "  silo $i: API http://localhost:$http   health http://localhost:$http/health   dashboard http://localhost:$http/dashboard/"
done
say "  logs: logs/system.log, logs/tasks.log, logs/telegram.log   supervisor: $RUN_DIR/supervisor-*.log"
say "  stop: scripts/stop.sh"
