#!/usr/bin/env bash
# Removes the bot token stored by telegram_login.sh.
#
#   scripts/telegram_logout.sh          remove the stored token
#   scripts/telegram_logout.sh --api    also call the Bot API's logOut first (use before moving
#                                       the bot to a local Bot API server; Telegram then refuses
#                                       the token on its cloud server for 10 minutes)
set -euo pipefail

call_api=false
case "${1:-}" in
  "") ;;
  --api) call_api=true ;;
  *) echo "usage: $0 [--api]" >&2; exit 2 ;;
esac

file="${Telegram__SecretsFile:-secrets/telegram.json}"
if [[ ! -f "$file" ]]; then
  echo "No stored token at $file; nothing to do."
  exit 0
fi

if $call_api; then
  base="${Telegram__ApiBaseUrl:-https://api.telegram.org}"
  base="${base%/}"
  token=$(sed -n 's/.*"BotToken": *"\([^"]*\)".*/\1/p' "$file")
  if [[ -z "$token" ]]; then
    echo "error: $file holds no token" >&2
    exit 1
  fi

  echo "Calling logOut at $base ..."
  response=$(printf 'url = "%s/bot%s/logOut"\n' "$base" "$token" | curl --silent --show-error --max-time 20 -X POST --config - 2>&1) || {
    echo "error: could not reach the Bot API at $base: $response" >&2
    exit 1
  }
  if [[ "$response" != *'"ok":true'* ]]; then
    echo "error: logOut was refused: $(sed -n 's/.*"description":"\([^"]*\)".*/\1/p' <<<"$response")" >&2
    exit 1
  fi
  echo "Logged out from the Bot API."
fi

rm -f "$file"
echo "Removed the stored token ($file). A running service stops using it after scripts/start.sh, which restarts its silos one at a time."
