-- Background task priorities: low-priority tasks (VACUUM, REINDEX, backups; the priority follows
-- from the task's type) wait while a reply is in progress on the task runner's silo or its CPU is
-- over Monitoring:ThrottleCpuPercent, up to Maintenance:LowPriorityMaxWaitMinutes after they were
-- queued. A row here says why a pending task waits, or how long it waited once it ran; it goes
-- with its task. (A table of its own, as on SQLite, where a column cannot be added only if missing.)

CREATE TABLE IF NOT EXISTS server_task_deferrals
(
    task_id  bigint NOT NULL PRIMARY KEY,
    deferred text   NOT NULL
);
