-- Telegram messages the service gave up on: a delivery or an answer that failed
-- Telegram:MaxDeliveryAttempts times. The user was told; the operator reads them at
-- GET /telegram/dead-letters (admin key) and can ask the user to send them again.

CREATE TABLE IF NOT EXISTS telegram_dead_letters
(
    id          bigserial   NOT NULL PRIMARY KEY,
    session_id  text        NOT NULL,
    update_id   bigint      NOT NULL,
    chat_id     bigint      NOT NULL,
    user_id     bigint      NOT NULL,
    content     text        NOT NULL,
    text        text        NOT NULL,
    attempts    integer     NOT NULL,
    failure     text        NOT NULL,
    stage       text        NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_telegram_dead_letters_created ON telegram_dead_letters (created_at);

CREATE UNIQUE INDEX IF NOT EXISTS ux_telegram_dead_letters_update ON telegram_dead_letters (session_id, update_id);
