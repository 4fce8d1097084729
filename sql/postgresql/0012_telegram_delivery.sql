-- A chat's Telegram delivery record (Sessions.TelegramInboxState) now also holds the update ids it
-- answered, which builds before it kept in the conversation; this build writes the answer to both
-- in one transaction and reads the ids from the record alone. Its rows move from the state name
-- 'telegram_inbox' to 'telegram_delivery', with their versions and payloads (the same type);
-- the first activation of each chat moves the ids out of its conversation (LegacyTakeOver).
--
-- A silo of an older build would not see the ids this build settles, so a redelivered update
-- could be answered twice: the script stops while one has reported itself alive in the last two
-- minutes, and afterwards its writes of 'telegram_inbox' are refused, so it accepts no Telegram
-- message rather than answering one twice.

DO $$
DECLARE
    active text;
BEGIN
    SELECT SiloName INTO active FROM OrleansMembershipTable
    WHERE Status IN (1, 2, 3, 4, 5) AND IAmAliveTime > now() - interval '2 minutes'
    LIMIT 1;
    IF active IS NOT NULL THEN
        RAISE EXCEPTION 'schema 0012 moves the Telegram delivery record: silo % of an older build is still active; stop every silo of the service, then start this build (a silo that was killed counts as active for two minutes)', active;
    END IF;
END $$;

INSERT INTO grain_state (service_id, state_name, grain_key, version, write_id, payload, modified_on)
SELECT service_id, 'telegram_delivery', grain_key, version, write_id, payload, modified_on
FROM grain_state
WHERE state_name = 'telegram_inbox'
ON CONFLICT (service_id, state_name, grain_key) DO NOTHING;

DELETE FROM grain_state WHERE state_name = 'telegram_inbox';

CREATE OR REPLACE FUNCTION assistant_telegram_delivery_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state_name = 'telegram_inbox' THEN
        RAISE EXCEPTION 'the Telegram delivery record is telegram_delivery since schema 0012: this silo runs an older build; stop it';
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS telegram_delivery_moved ON grain_state;
-- The WHEN keeps the function off every other state's write (the message path writes two per message).
CREATE TRIGGER telegram_delivery_moved BEFORE INSERT OR UPDATE ON grain_state
FOR EACH ROW WHEN (NEW.state_name = 'telegram_inbox') EXECUTE FUNCTION assistant_telegram_delivery_moved();
