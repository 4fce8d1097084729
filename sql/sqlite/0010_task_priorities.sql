-- Background task priorities: low-priority tasks (VACUUM, REINDEX, backups; the priority follows
-- from the task's type) wait while a reply is in progress on the task runner's silo or its CPU is
-- over Monitoring:ThrottleCpuPercent, up to Maintenance:LowPriorityMaxWaitMinutes after they were
-- queued. A row here says why a pending task waits, or how long it waited once it ran; it goes
-- with its task. (A table of its own: SQLite cannot add a column only if it is missing, and every
-- script here may run twice.)

CREATE TABLE IF NOT EXISTS server_task_deferrals
(
    task_id  INTEGER NOT NULL PRIMARY KEY,
    deferred TEXT    NOT NULL
);
