-- Telegram messages the service gave up on: a delivery or an answer that failed
-- Telegram:MaxDeliveryAttempts times. The user was told; the operator reads them at
-- GET /telegram/dead-letters (admin key) and can ask the user to send them again.

CREATE TABLE IF NOT EXISTS telegram_dead_letters
(
    id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT    NOT NULL,
    update_id   INTEGER NOT NULL,
    chat_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    content     TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    attempts    INTEGER NOT NULL,
    failure     TEXT    NOT NULL,
    stage       TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_telegram_dead_letters_created ON telegram_dead_letters (created_at);

CREATE UNIQUE INDEX IF NOT EXISTS ux_telegram_dead_letters_update ON telegram_dead_letters (session_id, update_id);
