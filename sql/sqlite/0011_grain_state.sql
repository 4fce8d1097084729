-- Grain state in a table of our own, written by GrainStateStore: a state is found by its service,
-- its name and its grain's key (each state name belongs to one grain type), and version is its
-- ETag. Writes go through the group commit, so many sessions' writes share one transaction.
-- A cleared state keeps its row, without payload, so that versions never go back.
--
-- Every state the Orleans ADO.NET provider held in OrleansStorage is copied here (its string key
-- is its grain's key; the grains with an integer key all have key 0), and then removed from
-- OrleansStorage, so that no conversation is kept twice. The script may run twice: a state
-- already here is not overwritten.

CREATE TABLE IF NOT EXISTS grain_state
(
    service_id  TEXT    NOT NULL,
    state_name  TEXT    NOT NULL,
    grain_key   TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    payload     BLOB    NULL,
    modified_on TEXT    NOT NULL,
    PRIMARY KEY (service_id, state_name, grain_key)
) WITHOUT ROWID;

INSERT INTO grain_state (service_id, state_name, grain_key, version, payload, modified_on)
SELECT ServiceId, GrainTypeString, COALESCE(GrainIdExtensionString, '0'), COALESCE(Version, 1), PayloadBinary, ModifiedOn
FROM OrleansStorage
WHERE PayloadBinary IS NOT NULL
  AND (GrainIdExtensionString IS NOT NULL OR (GrainIdN0 = 0 AND GrainIdN1 = 0))
ON CONFLICT (service_id, state_name, grain_key) DO NOTHING;

DELETE FROM OrleansStorage
WHERE GrainIdExtensionString IS NOT NULL OR (GrainIdN0 = 0 AND GrainIdN1 = 0);
