#!/usr/bin/env bash
# Runs one database maintenance operation, whether the service is running or not.
#
#   scripts/maintenance.sh OPERATION
#
# OPERATION: checkpoint, analyze, reindex, vacuum, integrity-check, backup, task-cleanup.
# It is recorded in server_tasks and logged to logs/tasks-*.log. With the service running you
# can also use POST /maintenance/OPERATION with the admin key.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [[ $# -ne 1 || "$1" == -* ]]; then
  usage >&2
  exit 2
fi

ensure_built
exec dotnet "$DLL" maintenance "$1"
