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
-- conversation is kept twice (a VACUUM afterwards also clears the freed pages of the file). The states of conversations stored before the key spaces ('session'
-- and 'inbox', bare keys that the provider may have stored as numbers) stay where they are:
-- LegacySessionGrain reads them through that provider and moves them into their key spaces.
--
-- A silo of an older build still running would go on writing to OrleansStorage: the script stops
-- while one has reported itself alive in the last two minutes (the constraint's name is the message).

CREATE TEMP TABLE upgrade_guard
(
    active TEXT CONSTRAINT "schema 0011 moves grain state to grain_state: a silo of an older build is still active; stop every silo of the service, then start this build (a silo that was killed counts as active for two minutes)" CHECK (active IS NULL)
);

INSERT INTO upgrade_guard (active)
SELECT SiloName FROM OrleansMembershipTable
WHERE Status IN (1, 2, 3, 4, 5) AND IAmAliveTime > strftime('%Y-%m-%d %H:%M:%f', 'now', '-2 minutes');

DROP TABLE upgrade_guard;

CREATE TABLE IF NOT EXISTS grain_state
(
    service_id  TEXT    NOT NULL,
    state_name  TEXT    NOT NULL,
    grain_key   TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    write_id    TEXT    NULL,
    payload     BLOB    NULL,
    modified_on TEXT    NOT NULL,
    PRIMARY KEY (service_id, state_name, grain_key)
) WITHOUT ROWID;

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
CREATE TRIGGER IF NOT EXISTS grain_state_moved_insert BEFORE INSERT ON OrleansStorage
WHEN NEW.GrainTypeString NOT IN ('session', 'inbox') AND NEW.PayloadBinary IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'grain state is in grain_state since schema 0011: this silo runs an older build; stop it');
END;

CREATE TRIGGER IF NOT EXISTS grain_state_moved_update BEFORE UPDATE ON OrleansStorage
WHEN NEW.GrainTypeString NOT IN ('session', 'inbox') AND NEW.PayloadBinary IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'grain state is in grain_state since schema 0011: this silo runs an older build; stop it');
END;
