-- Sessions get two key spaces: 'api:<id>' for the HTTP API and 'tg:<chat id>' for Telegram, so
-- that no id sent to /sessions/{id} reaches a Telegram conversation. Every row written before
-- this is renamed 'legacy:<old key>' (all of them: an old key may itself begin with 'legacy:').
-- The conversation behind each is moved into its key space by LegacySessionGrain: when its new
-- session activates, or by the start-up pass (LegacySessionMigration), whichever comes first;
-- the row goes with it. The recovery sweep and the cleanup skip legacy rows until then.

UPDATE chat_sessions SET session_id = 'legacy:' || session_id;

-- Dead letters are Telegram's only, and were keyed by the bare chat id.
UPDATE telegram_dead_letters SET session_id = 'tg:' || session_id;
