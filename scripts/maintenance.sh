#!/usr/bin/env bash
# Runs one maintenance operation, whether the service is running or not.
#
#   scripts/maintenance.sh OPERATION
#
# OPERATION: checkpoint, analyze, reindex, vacuum, integrity-check, backup, task-cleanup (the
# database), or logs (the log lifecycle of this host's logs/: rotate tasks.log, gzip rotated logs
# into logs/archive/, move old archives to Logs:ColdStorageDirectory, delete the oldest there).
# It is recorded in server_tasks and logged to logs/tasks.log. With the service running you
# can also use POST /maintenance/OPERATION with the admin key.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [[ $# -ne 1 || "$1" == -* ]]; then
  usage >&2
  exit 2
fi

ensure_built
exec dotnet "$DLL" maintenance "$1"
