-- An index of conversations, so that sessions can be found although their grains are not
-- active: the cleanup cycle clears those inactive for a day, and the Telegram channel wakes
-- those holding accepted messages not yet answered (pending_since). The conversation itself
-- lives in the session grain's state (OrleansStorage).

CREATE TABLE IF NOT EXISTS chat_sessions
(
    session_id         text        NOT NULL PRIMARY KEY,
    created_at         timestamptz NOT NULL,
    last_active_at     timestamptz NOT NULL,
    message_count      integer     NOT NULL DEFAULT 0,
    context_cleared_at timestamptz NULL,
    pending_since      timestamptz NULL
);

CREATE INDEX IF NOT EXISTS ix_chat_sessions_last_active ON chat_sessions (last_active_at);
CREATE INDEX IF NOT EXISTS ix_chat_sessions_pending ON chat_sessions (pending_since) WHERE pending_since IS NOT NULL;
