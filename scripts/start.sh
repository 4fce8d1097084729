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
# Before starting it checks disk space and the Telegram token, and checks the database (folds a
# WAL left by a crash back in; stops on a failed integrity check). Each silo runs under a
# supervisor loop that starts it again when it exits for a restart (75) or crashes; pid files and
# supervisor logs are in run/.
# On a running service it starts no second instance: it removes stale pid files, checks the
# database's integrity (read-only), starts the silos of --silos that are not running, restarts
# one at a time the running silos whose bot token is not the one configured now (after
# telegram_logout.sh / telegram_login.sh), waits until every silo is ready and exits 0.
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

# 1. What already runs: a silo whose supervisor is alive is left running; stale pid files go.
shopt -s nullglob
running=()
for file in "$RUN_DIR"/supervisor-*.pid; do
  i="${file##*/supervisor-}"
  i="${i%.pid}"
  pid=$(read_pid "$file")
  if alive "$pid"; then
    running+=("$i")
  else
    say "Lock recovery: removed the stale pid files of silo $i (supervisor pid $pid is not running; the last run did not stop cleanly)."
    rm -f "$RUN_DIR/supervisor-$i.pid" "$RUN_DIR/silo-$i.pid" "$RUN_DIR/stop-$i" "$RUN_DIR/restart-$i" "$RUN_DIR/silo-$i.token" "$RUN_DIR/silo-$i.ports"
  fi
done
shopt -u nullglob

is_running() {
  local r
  for r in "${running[@]}"; do [[ "$r" == "$1" ]] && return 0; done
  return 1
}

to_start=()
for ((i = 1; i <= silos; i++)); do
  if is_running "$i"; then
    say "Silo $i is already running (supervisor pid $(read_pid "$RUN_DIR/supervisor-$i.pid")); not starting a second instance."
    continue
  fi
  for p in $((port + i - 1)) $((silo_base + i - 1)) $((gateway_base + i - 1)); do
    if port_in_use "$p"; then
      die "port $p is already in use (another instance, or another program); stop it or choose --port"
    fi
  done
  to_start+=("$i")
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

# A running silo's files are not rebuilt under it: with silos running, the build they run is used.
if ((${#running[@]} == 0)); then
  ensure_built
elif [[ ! -f "$DLL" ]]; then
  die "silos are running but $DLL is missing; stop them (scripts/stop.sh) and start again"
fi

# 4. The database: fold back a WAL left by a crash, then check integrity (read-only for a bad file).
#    While silos run, the WAL is theirs: only the integrity check runs.
if uses_sqlite && [[ -f "$db" ]]; then
  if ((${#running[@]} == 0)) && [[ -s "$db-wal" ]]; then
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

# The URL a silo's readiness is asked at: recorded when it was started (run/silo-N.ports), else from --port.
ready_url() {
  local recorded
  recorded=$(sed -n 1p "$RUN_DIR/silo-$1.ports" 2>/dev/null || true)
  printf '%s' "${recorded:-http://$probe:$((port + $1 - 1))}/health/ready"
}

# Waits until silo $1 answers /health/ready; $2 is what is being waited for.
wait_ready() {
  local i=$1 url t
  url=$(ready_url "$i")
  say "Waiting for silo $i ($url) $2 ..."
  for ((t = 0; ; t++)); do
    if ready=$(curl --silent --fail-with-body --max-time 2 "$url" 2>/dev/null); then
      return 0
    fi
    if ! alive "$(read_pid "$RUN_DIR/supervisor-$i.pid")"; then
      tail -n 20 "$RUN_DIR/supervisor-$i.log" >&2
      die "silo $i stopped; see above and $RUN_DIR/supervisor-$i.log"
    fi
    if ((t >= 240)); then
      die "silo $i was not ready within 120 s (last /health/ready: ${ready:-no answer}); see $RUN_DIR/supervisor-$i.log and logs/system.log"
    fi
    sleep 0.5
  done
}

# 5. Running silos whose bot token is not the one configured now are restarted, one at a time
#    (the supervisor starts each again; the others go on serving meanwhile).
restarted=()
want=$(token_fingerprint)
for i in "${running[@]}"; do
  have=$(cat "$RUN_DIR/silo-$i.token" 2>/dev/null || echo unknown)
  if [[ "$have" == "$want" ]]; then
    continue
  elif [[ "$have" == unknown ]]; then
    warn "cannot tell which bot token silo $i runs with (started by an older start.sh); to be sure it uses the one configured now: scripts/stop.sh && scripts/start.sh"
    continue
  fi
  if [[ -n "${Telegram__BotToken:-}" ]]; then
    die "Telegram__BotToken is set here, but silo $i's supervisor was started with another environment and passes it on at every restart; a running service takes a new token from telegram_login.sh (unset Telegram__BotToken), or stop it (scripts/stop.sh) and start it with the token you mean"
  fi
  silo_pid=$(read_pid "$RUN_DIR/silo-$i.pid")
  say "Silo $i runs with another bot token than the one configured now; restarting it to use the new one ..."
  if alive "$silo_pid"; then
    touch "$RUN_DIR/restart-$i" # its supervisor starts it again instead of stopping
    kill -TERM "$silo_pid"      # a graceful stop: replies finish, state is saved
    for ((t = 0; t < 1200; t++)); do
      alive "$silo_pid" || break
      sleep 0.1
    done
  fi # else its supervisor is about to start it, and it reads the token configured now
  wait_ready "$i" "to come back with the new token"
  if [[ "$(cat "$RUN_DIR/silo-$i.token" 2>/dev/null)" != "$want" ]]; then
    die "silo $i came back with the old bot token: its supervisor's environment sets Telegram__BotToken, which wins over the stored one; stop the service (scripts/stop.sh) and start it with the token you mean"
  fi
  restarted+=("$i")
done

# 6. Start each silo that is not running under its supervisor.
for i in "${to_start[@]}"; do
  http=$((port + i - 1))
  printf 'http://%s:%s\n%s\n%s\n' "$probe" "$http" $((silo_base + i - 1)) $((gateway_base + i - 1)) >"$RUN_DIR/silo-$i.ports" # HTTP, silo, gateway
  rm -f "$RUN_DIR/stop-$i" "$RUN_DIR/restart-$i"
  ASPNETCORE_URLS="http://$bind:$http" Cluster__SiloPort=$((silo_base + i - 1)) Cluster__GatewayPort=$((gateway_base + i - 1)) \
    nohup bash "$ROOT/scripts/supervise.sh" "$i" "$DLL" >>"$RUN_DIR/supervisor-$i.log" 2>&1 &
  echo $! >"$RUN_DIR/supervisor-$i.pid"
done

# 7. Wait until every silo is ready. /health answers while a silo is still joining the cluster;
#    /health/ready only once it is active in it, so "running" below means every silo has joined.
for i in "${to_start[@]}" "${running[@]}"; do
  wait_ready "$i" "to join the cluster"
done

say ""
all=("${running[@]}" "${to_start[@]}")
if ((${#to_start[@]} == 0)); then
  say "The assistant is already running (${#all[@]} silo(s)); nothing was started.${restarted:+ Restarted for the new bot token: silo ${restarted[*]}.}"
else
  say "The assistant is running (${#all[@]} silo(s))."
fi
for i in $(printf '%s\n' "${all[@]}" | sort -n); do
  url=$(ready_url "$i")
  url="${url%/health/ready}"
  case "$url" in http://127.0.0.1:* | "http://[::1]:"*) url="http://localhost:${url##*:}" ;; esac
  say "  silo $i: API $url   health $url/health   dashboard $url/dashboard/"
done
say "  logs: logs/system.log, logs/tasks.log, logs/telegram.log   supervisor: $RUN_DIR/supervisor-*.log"
say "  stop: scripts/stop.sh"
