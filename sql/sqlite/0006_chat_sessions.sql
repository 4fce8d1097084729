-- An index of conversations, so the cleanup cycle can find sessions that have been
-- inactive for a day although their grains are no longer active. The conversation itself
-- lives in the session grain's state (OrleansStorage).

CREATE TABLE IF NOT EXISTS chat_sessions
(
    session_id         TEXT    NOT NULL PRIMARY KEY,
    created_at         TEXT    NOT NULL,
    last_active_at     TEXT    NOT NULL,
    message_count      INTEGER NOT NULL DEFAULT 0,
    context_cleared_at TEXT    NULL
);

CREATE INDEX IF NOT EXISTS ix_chat_sessions_last_active ON chat_sessions (last_active_at);
