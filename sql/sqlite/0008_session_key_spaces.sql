-- Sessions get two key spaces: 'api:<id>' for the HTTP API and 'tg:<chat id>' for Telegram, so
-- that no id sent to /sessions/{id} reaches a Telegram conversation. Every row written before
-- this is renamed 'legacy:<old key>'; at start the service moves each of those conversations
-- into its key space (LegacySessionGrain) and deletes the row. Legacy rows are skipped by the
-- recovery sweep and the cleanup until then.

UPDATE chat_sessions SET session_id = 'legacy:' || session_id
WHERE session_id NOT LIKE 'legacy:%';
