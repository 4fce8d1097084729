#!/usr/bin/env bash
# Backups of the SQLite database, with SQLite's online backup (safe while the service runs).
#
#   scripts/backup.sh                 make a backup in backup/ (older ones beyond Maintenance__BackupRetain are removed)
#   scripts/backup.sh list            list the backups, newest first
#   scripts/backup.sh restore FILE    put FILE back as the database (the service must be stopped;
#                                     the current file is kept as data/system.db.before-restore-TIME)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case "${1:-}" in
  "")
    ensure_built
    exec dotnet "$DLL" maintenance backup
    ;;
  list)
    shopt -s nullglob
    files=("${Maintenance__BackupDirectory:-backup}"/system-*.db)
    ((${#files[@]} > 0)) || { say "No backups in ${Maintenance__BackupDirectory:-backup}/."; exit 0; }
    ls -lt "${files[@]}"
    ;;
  restore)
    file="${2:?usage: $0 restore FILE}"
    [[ -f "$file" ]] || die "no such backup: $file"
    uses_sqlite || die "restore is for the SQLite database; on PostgreSQL use pg_restore"
    for pid_file in "$RUN_DIR"/supervisor-*.pid; do
      if [[ -f "$pid_file" ]] && alive "$(read_pid "$pid_file")"; then
        die "the service is running; stop it first with scripts/stop.sh"
      fi
    done
    db=$(database_path)
    mkdir -p "$(dirname "$db")"
    if [[ -f "$db" ]]; then
      keep="$db.before-restore-$(date -u +%Y%m%d%H%M%S)"
      mv "$db" "$keep"
      say "Kept the current database as $keep."
    fi
    rm -f "$db-wal" "$db-shm"
    cp "$file" "$db"
    say "Restored $file as $db. Start the service with scripts/start.sh."
    ;;
  *)
    usage >&2
    exit 2
    ;;
esac
