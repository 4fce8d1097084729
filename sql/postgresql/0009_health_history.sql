-- The ResourceMonitor's health history: a row per health cycle (resolution 30 s by default),
-- averaged into 5-minute rows after a day and hourly rows after a week, deleted after
-- Monitoring:HistoryDays. Figures are the cluster's: memory and sessions summed over the silos,
-- CPU averaged; reply times over the last Monitoring:LatencyWindowMinutes; errors are those new in
-- the row's period, by type (JSON). health_baselines holds each finished day's summary, taken
-- before the day's samples are averaged.

CREATE TABLE IF NOT EXISTS health_history
(
    id                 bigserial        NOT NULL PRIMARY KEY,
    at                 timestamptz      NOT NULL,
    resolution_seconds integer          NOT NULL,
    score              double precision NOT NULL,
    memory_mb          double precision NOT NULL,
    cpu_percent        double precision NOT NULL,
    sessions           integer          NOT NULL,
    silos              integer          NOT NULL,
    replies            integer          NOT NULL,
    reply_p50_ms       double precision NOT NULL,
    reply_p95_ms       double precision NOT NULL,
    errors             text             NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_health_history_at ON health_history (at);

CREATE TABLE IF NOT EXISTS health_baselines
(
    day        text        NOT NULL PRIMARY KEY,
    baseline   text        NOT NULL,
    created_at timestamptz NOT NULL
);
