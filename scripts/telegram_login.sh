#!/usr/bin/env bash
# Checks a Telegram bot token with getMe and stores it for the service, readable only by you.
#
#   scripts/telegram_login.sh                    # prompts for the token, without echo
#   scripts/telegram_login.sh < token.txt        # or reads its first line from standard input
#
# The token is never taken as an argument: the process list and your shell history would show it.
# The API base URL is Telegram__ApiBaseUrl (default https://api.telegram.org); the file is
# Telegram__SecretsFile (default secrets/telegram.json, relative to where you run the service).
# The service reads the stored token when Telegram__BotToken is not set. The token is passed to
# curl on standard input, so it does not show in the process list, and is never printed.
set -euo pipefail

if [[ $# -ne 0 ]]; then
  echo "usage: $0   (then paste the token @BotFather gave you, or: $0 < token.txt)" >&2
  echo "The token is read from standard input, never from the command line, where ps and your shell history would show it." >&2
  exit 2
fi

if [[ -t 0 ]]; then
  read -rs -p "Bot token (from @BotFather): " token
  echo
else
  IFS= read -r token || [[ -n "$token" ]] || { echo "error: no token on standard input" >&2; exit 2; }
fi
token="${token//[$'\r\t ']/}"
if [[ ! "$token" =~ ^[0-9]+:[A-Za-z0-9_-]+$ ]]; then
  echo "error: that does not look like a bot token (digits, a colon, then letters, digits, _ or -)" >&2
  exit 2
fi

base="${Telegram__ApiBaseUrl:-https://api.telegram.org}"
base="${base%/}"
file="${Telegram__SecretsFile:-secrets/telegram.json}"

echo "Checking the token with getMe at $base ..."
if ! response=$(printf 'url = "%s/bot%s/getMe"\n' "$base" "$token" | curl --silent --show-error --max-time 20 -X POST --config - 2>&1); then
  echo "error: could not reach the Bot API at $base: $response" >&2
  exit 1
fi

if [[ "$response" != *'"ok":true'* ]]; then
  description=$(sed -n 's/.*"description":"\([^"]*\)".*/\1/p' <<<"$response")
  echo "error: Telegram refused the token: ${description:-unexpected answer}" >&2
  exit 1
fi

username=$(sed -n 's/.*"username":"\([^"]*\)".*/\1/p' <<<"$response")
mkdir -p "$(dirname "$file")"
umask 077
tmp="$file.tmp.$$"
printf '{\n  "Telegram": {\n    "BotToken": "%s"\n  }\n}\n' "$token" >"$tmp"
chmod 600 "$tmp"
mv -f "$tmp" "$file"

echo "Logged in as @${username:-unknown}. Token stored in $file (mode 600)."
echo "A running service uses it after scripts/start.sh, which restarts its silos one at a time."
