# Shared by the operator scripts; source it, do not run it.
# The service runs with the repository root as its working directory (ASSISTANT_HOME overrides
# it), so data/, logs/, backup/, secrets/ and run/ land there.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ASSISTANT_HOME:-$ROOT}"

RUN_DIR="${ASSISTANT_RUN_DIR:-run}"
CONFIGURATION="${ASSISTANT_CONFIGURATION:-Release}"
DLL="$ROOT/src/Silo/bin/$CONFIGURATION/net10.0/Assistant.Silo.dll"

say() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
# The calling script's usage: its leading comment block, without the "# ".
usage() { sed -n '2,/^[^#]/{/^#/{s/^# \{0,1\}//;p}}' "$0"; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed; $2"
}

# Builds the silo unless it is already built and nothing changed (dotnet build is incremental).
build_silo() {
  need dotnet "install the .NET 10 SDK (https://dot.net)"
  say "Building the silo ($CONFIGURATION) ..."
  dotnet build "$ROOT/src/Silo" -c "$CONFIGURATION" --nologo -v quiet -clp:ErrorsOnly >/dev/null || die "the build failed; run: dotnet build src/Silo -c $CONFIGURATION"
}

ensure_built() {
  if [[ "${ASSISTANT_NO_BUILD:-}" == "1" && -f "$DLL" ]]; then
    return
  fi
  build_silo
}

# True when something accepts connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

alive() {
  [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null
}

read_pid() {
  [[ -f "$1" ]] && tr -dc '0-9' <"$1" || true
}

# Processes of this installation: the silo or its supervisor started from this checkout ($DLL)
# in this working directory. Prints "silo PID" or "supervisor PID" per line; maintenance commands
# (dotnet $DLL maintenance ...) are not silos.
instance_processes() {
  local here proc pid cmd
  here=$(pwd -P)
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
    [[ "$(readlink "$proc/cwd" 2>/dev/null)" == "$here" ]] || continue
    cmd=$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null) || continue
    case "$cmd" in
      *"$ROOT/scripts/supervise.sh "*) echo "supervisor $pid" ;;
      *" $DLL maintenance"*) ;;
      *" $DLL"*) echo "silo $pid" ;;
    esac
  done
}

# The SQLite file the service uses (Storage__DatabasePath, default data/system.db).
database_path() {
  printf '%s' "${Storage__DatabasePath:-data/system.db}"
}

uses_sqlite() {
  [[ "${Storage__Provider:-Sqlite}" == "Sqlite" ]]
}

# The bot token the silos read when they start (Telegram__BotToken, else the stored one), as the
# first 16 hex digits of its SHA-256 ("none" without one): what start.sh compares to tell whether
# a running silo uses the token configured now. Never the token itself.
token_fingerprint() {
  local token="${Telegram__BotToken:-}" secrets="${Telegram__SecretsFile:-secrets/telegram.json}"
  if [[ -z "$token" && -f "$secrets" ]]; then
    token=$(sed -n 's/.*"BotToken": *"\([^"]*\)".*/\1/p' "$secrets")
  fi
  if [[ -z "$token" ]]; then
    echo none
  else
    printf '%s' "$token" | sha256sum | cut -c1-16
  fi
}
