-- A chat's Telegram delivery record (Sessions.TelegramInboxState) now also holds the update ids it
-- answered, which builds before it kept in the conversation; this build writes the answer to both
-- in one transaction and reads the ids from the record alone. Its rows move from the state name
-- 'telegram_inbox' to 'telegram_delivery', with their versions and payloads (the same type);
-- the first activation of each chat moves the ids out of its conversation (LegacyTakeOver).
--
-- A silo of an older build would not see the ids this build settles, so a redelivered update
-- could be answered twice: the script stops while one has reported itself alive in the last two
-- minutes (the constraint's name is the message), and afterwards its writes of 'telegram_inbox'
-- are refused, so it accepts no Telegram message rather than answering one twice.

CREATE TEMP TABLE delivery_upgrade_guard
(
    active TEXT CONSTRAINT "schema 0012 moves the Telegram delivery record: a silo of an older build is still active; stop every silo of the service, then start this build (a silo that was killed counts as active for two minutes)" CHECK (active IS NULL)
);

INSERT INTO delivery_upgrade_guard (active)
SELECT SiloName FROM OrleansMembershipTable
WHERE Status IN (1, 2, 3, 4, 5) AND IAmAliveTime > strftime('%Y-%m-%d %H:%M:%f', 'now', '-2 minutes');

DROP TABLE delivery_upgrade_guard;

INSERT INTO grain_state (service_id, state_name, grain_key, version, write_id, payload, modified_on)
SELECT service_id, 'telegram_delivery', grain_key, version, write_id, payload, modified_on
FROM grain_state
WHERE state_name = 'telegram_inbox'
ON CONFLICT (service_id, state_name, grain_key) DO NOTHING;

DELETE FROM grain_state WHERE state_name = 'telegram_inbox';

CREATE TRIGGER IF NOT EXISTS telegram_delivery_moved_insert BEFORE INSERT ON grain_state
WHEN NEW.state_name = 'telegram_inbox'
BEGIN
    SELECT RAISE(ABORT, 'the Telegram delivery record is telegram_delivery since schema 0012: this silo runs an older build; stop it');
END;

CREATE TRIGGER IF NOT EXISTS telegram_delivery_moved_update BEFORE UPDATE ON grain_state
WHEN NEW.state_name = 'telegram_inbox'
BEGIN
    SELECT RAISE(ABORT, 'the Telegram delivery record is telegram_delivery since schema 0012: this silo runs an older build; stop it');
END;
