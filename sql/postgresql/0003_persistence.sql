-- Orleans grain storage on PostgreSQL. Found by the two hashes (indexed), confirmed by the
-- clear-text key; Version is the ETag. A write that does not match the expected version
-- returns no row, which the provider reports as an InconsistentStateException.

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer       NOT NULL,
    GrainIdN0              bigint        NOT NULL,
    GrainIdN1              bigint        NOT NULL,
    GrainTypeHash          integer       NOT NULL,
    GrainTypeString        varchar(512)  NOT NULL,
    GrainIdExtensionString varchar(512)  NULL,
    ServiceId              varchar(150)  NOT NULL,
    PayloadBinary          bytea         NULL,
    ModifiedOn             timestamptz   NOT NULL,
    Version                integer       NULL
);

CREATE INDEX IF NOT EXISTS IX_OrleansStorage ON OrleansStorage (GrainIdHash, GrainTypeHash);

CREATE OR REPLACE FUNCTION assistant_write_storage(
    p_id_hash integer, p_n0 bigint, p_n1 bigint, p_type_hash integer, p_type text, p_extension text,
    p_service text, p_version integer, p_payload bytea)
RETURNS TABLE (NewGrainStateVersion integer) LANGUAGE plpgsql AS $$
BEGIN
    IF p_version IS NOT NULL THEN
        RETURN QUERY
        WITH updated AS (
            UPDATE OrleansStorage
            SET PayloadBinary = p_payload, ModifiedOn = now(), Version = OrleansStorage.Version + 1
            WHERE GrainIdHash = p_id_hash AND GrainTypeHash = p_type_hash AND GrainIdN0 = p_n0 AND GrainIdN1 = p_n1
              AND GrainTypeString = p_type AND GrainIdExtensionString IS NOT DISTINCT FROM p_extension
              AND ServiceId = p_service AND OrleansStorage.Version = p_version
            RETURNING OrleansStorage.Version AS v)
        SELECT updated.v FROM updated;
        RETURN;
    END IF;

    -- First write of this grain: exactly one of racing writers may insert.
    PERFORM pg_advisory_xact_lock(p_id_hash, p_type_hash);
    RETURN QUERY
    WITH inserted AS (
        INSERT INTO OrleansStorage
            (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
        SELECT p_id_hash, p_n0, p_n1, p_type_hash, p_type, p_extension, p_service, p_payload, now(), 1
        WHERE NOT EXISTS (
            SELECT 1 FROM OrleansStorage
            WHERE GrainIdHash = p_id_hash AND GrainTypeHash = p_type_hash AND GrainIdN0 = p_n0 AND GrainIdN1 = p_n1
              AND GrainTypeString = p_type AND GrainIdExtensionString IS NOT DISTINCT FROM p_extension
              AND ServiceId = p_service)
        RETURNING OrleansStorage.Version AS v)
    SELECT inserted.v FROM inserted;
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey', '
    SELECT NewGrainStateVersion FROM assistant_write_storage(
        @GrainIdHash::integer, @GrainIdN0::bigint, @GrainIdN1::bigint, @GrainTypeHash::integer, @GrainTypeString::text,
        @GrainIdExtensionString::text, @ServiceId::text, @GrainStateVersion::integer, @PayloadBinary::bytea);
'),
('ReadFromStorageKey', '
    SELECT PayloadBinary, Version
    FROM OrleansStorage
    WHERE GrainIdHash = @GrainIdHash::integer
      AND GrainTypeHash = @GrainTypeHash::integer
      AND GrainIdN0 = @GrainIdN0::bigint
      AND GrainIdN1 = @GrainIdN1::bigint
      AND GrainTypeString = @GrainTypeString::text
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString::text
      AND ServiceId = @ServiceId::text
    LIMIT 1;
'),
('ClearStorageKey', '
    UPDATE OrleansStorage
    SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
    WHERE GrainIdHash = @GrainIdHash::integer
      AND GrainTypeHash = @GrainTypeHash::integer
      AND GrainIdN0 = @GrainIdN0::bigint
      AND GrainIdN1 = @GrainIdN1::bigint
      AND GrainTypeString = @GrainTypeString::text
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString::text
      AND ServiceId = @ServiceId::text
      AND Version = @GrainStateVersion::integer
    RETURNING Version AS NewGrainStateVersion;
'),
('DeleteStorageKey', '
    DELETE FROM OrleansStorage
    WHERE GrainIdHash = @GrainIdHash::integer
      AND GrainTypeHash = @GrainTypeHash::integer
      AND GrainIdN0 = @GrainIdN0::bigint
      AND GrainIdN1 = @GrainIdN1::bigint
      AND GrainTypeString = @GrainTypeString::text
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString::text
      AND ServiceId = @ServiceId::text
      AND Version = @GrainStateVersion::integer
    RETURNING Version + 1 AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
