-- The ResourceMonitor's health history: a row per health cycle (resolution 30 s by default),
-- averaged into 5-minute rows after a day and hourly rows after a week, deleted after
-- Monitoring:HistoryDays. Figures are the cluster's: memory and sessions summed over the silos,
-- CPU averaged; reply times over the last Monitoring:LatencyWindowMinutes; errors are those new in
-- the row's period, by type (JSON). health_baselines holds each finished day's summary, taken
-- before the day's samples are averaged.

CREATE TABLE IF NOT EXISTS health_history
(
    id                 INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    at                 TEXT    NOT NULL,
    resolution_seconds INTEGER NOT NULL,
    score              REAL    NOT NULL,
    memory_mb          REAL    NOT NULL,
    cpu_percent        REAL    NOT NULL,
    sessions           INTEGER NOT NULL,
    silos              INTEGER NOT NULL,
    replies            INTEGER NOT NULL,
    reply_p50_ms       REAL    NOT NULL,
    reply_p95_ms       REAL    NOT NULL,
    errors             TEXT    NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_health_history_at ON health_history (at);

CREATE TABLE IF NOT EXISTS health_baselines
(
    day        TEXT NOT NULL PRIMARY KEY,
    baseline   TEXT NOT NULL,
    created_at TEXT NOT NULL
);
