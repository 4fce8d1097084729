-- An index of conversations, so that sessions can be found although their grains are not
-- active: the cleanup cycle clears those inactive for a day, and the Telegram channel wakes
-- those holding accepted messages not yet answered (pending_since), for instance after their
-- silo was lost. The conversation itself lives in the session grain's state (OrleansStorage).

CREATE TABLE IF NOT EXISTS chat_sessions
(
    session_id         TEXT    NOT NULL PRIMARY KEY,
    created_at         TEXT    NOT NULL,
    last_active_at     TEXT    NOT NULL,
    message_count      INTEGER NOT NULL DEFAULT 0,
    context_cleared_at TEXT    NULL,
    pending_since      TEXT    NULL
);

CREATE INDEX IF NOT EXISTS ix_chat_sessions_last_active ON chat_sessions (last_active_at);

CREATE INDEX IF NOT EXISTS ix_chat_sessions_pending ON chat_sessions (pending_since) WHERE pending_since IS NOT NULL;
