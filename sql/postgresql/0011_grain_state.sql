-- Grain state in a table of our own, written by GrainStateStore: a state is found by its service,
-- its name and its grain's key (each state name belongs to one grain type), and version is its
-- ETag. Writes go through the group commit, so many sessions' writes share one transaction.
-- write_id names the write that made the version, so that the same write applied twice (after a
-- commit whose outcome was unknown) is recognised. A cleared state keeps its row, without
-- payload, so that versions never go back.
--
-- Every state the Orleans ADO.NET provider held in OrleansStorage is copied here with its version
-- (the sessions' string keys, 'tg:...' and 'api:...', are kept as text by that provider; the grains
-- with an integer key all have key 0) and then removed from OrleansStorage, so that no
-- conversation is kept twice. The states of conversations stored before the key spaces ('session'
-- and 'inbox', bare keys that the provider may have stored as numbers) stay where they are:
-- LegacySessionGrain reads them through that provider and moves them into their key spaces.
--
-- A silo of an older build still running would go on writing to OrleansStorage: the script stops
-- while one has reported itself alive in the last two minutes.

DO $$
DECLARE
    active text;
BEGIN
    SELECT SiloName INTO active FROM OrleansMembershipTable
    WHERE Status IN (1, 2, 3, 4, 5) AND IAmAliveTime > now() - interval '2 minutes'
    LIMIT 1;
    IF active IS NOT NULL THEN
        RAISE EXCEPTION 'schema 0011 moves grain state to grain_state: silo % of an older build is still active; stop every silo of the service, then start this build (a silo that was killed counts as active for two minutes)', active;
    END IF;
END $$;

CREATE TABLE IF NOT EXISTS grain_state
(
    service_id  varchar(150) NOT NULL,
    state_name  varchar(512) NOT NULL,
    grain_key   varchar(512) NOT NULL,
    version     bigint       NOT NULL,
    write_id    varchar(36)  NULL,
    payload     bytea        NULL,
    modified_on timestamptz  NOT NULL,
    PRIMARY KEY (service_id, state_name, grain_key)
);

INSERT INTO grain_state (service_id, state_name, grain_key, version, payload, modified_on)
SELECT ServiceId, GrainTypeString, COALESCE(GrainIdExtensionString, '0'), COALESCE(Version, 1), PayloadBinary, ModifiedOn
FROM OrleansStorage
WHERE GrainTypeString NOT IN ('session', 'inbox')
  AND PayloadBinary IS NOT NULL
  AND (GrainIdExtensionString IS NOT NULL OR (GrainIdN0 = 0 AND GrainIdN1 = 0))
ON CONFLICT (service_id, state_name, grain_key) DO NOTHING;

-- Only what is now in grain_state (or held nothing) is removed: a row that could not be copied stays.
DELETE FROM OrleansStorage
WHERE GrainTypeString NOT IN ('session', 'inbox')
  AND (GrainIdExtensionString IS NOT NULL OR (GrainIdN0 = 0 AND GrainIdN1 = 0))
  AND (PayloadBinary IS NULL OR EXISTS (
      SELECT 1 FROM grain_state g
      WHERE g.service_id = OrleansStorage.ServiceId
        AND g.state_name = OrleansStorage.GrainTypeString
        AND g.grain_key = COALESCE(OrleansStorage.GrainIdExtensionString, '0')
        AND g.payload = OrleansStorage.PayloadBinary));

-- From here on OrleansStorage holds only the conversations from before the key spaces. A silo of
-- an older build started again later would keep every other state there, where this build never
-- looks: its writes are refused instead, so it fails loudly rather than confirming messages that
-- no silo of this build would answer. (Clearing a legacy row, which this build does, is allowed.)
CREATE OR REPLACE FUNCTION assistant_grain_state_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.GrainTypeString NOT IN ('session', 'inbox') AND NEW.PayloadBinary IS NOT NULL THEN
        RAISE EXCEPTION 'grain state is in grain_state since schema 0011: this silo runs an older build; stop it';
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS grain_state_moved ON OrleansStorage;
CREATE TRIGGER grain_state_moved BEFORE INSERT OR UPDATE ON OrleansStorage
FOR EACH ROW EXECUTE FUNCTION assistant_grain_state_moved();
