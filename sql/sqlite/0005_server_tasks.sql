-- Background tasks: maintenance work runs as rows here (see the task runner).
-- Times are UTC TEXT in Microsoft.Data.Sqlite's DateTime format.

CREATE TABLE IF NOT EXISTS server_tasks
(
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    type         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    payload      TEXT NULL,
    result       TEXT NULL,
    error        TEXT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    started_at   TEXT NULL,
    processed_at TEXT NULL
);

CREATE INDEX IF NOT EXISTS ix_server_tasks_status_created ON server_tasks (status, created_at);
CREATE INDEX IF NOT EXISTS ix_server_tasks_processed ON server_tasks (processed_at);
