-- Orleans clustering (membership) on SQLite.
-- Times are stored as TEXT in Microsoft.Data.Sqlite's DateTime format
-- (yyyy-MM-dd HH:mm:ss.FFFFFFF, UTC), so TEXT comparison orders them.
-- Every write that checks the table version runs inside BEGIN IMMEDIATE so the
-- version check and the write are one atomic step across silo processes.

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId TEXT    NOT NULL,
    Timestamp    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    Version      INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId TEXT    NOT NULL,
    Address      TEXT    NOT NULL,
    Port         INTEGER NOT NULL,
    Generation   INTEGER NOT NULL,
    SiloName     TEXT    NOT NULL,
    HostName     TEXT    NOT NULL,
    Status       INTEGER NOT NULL,
    ProxyPort    INTEGER NULL,
    SuspectTimes TEXT    NULL,
    StartTime    TEXT    NOT NULL,
    IAmAliveTime TEXT    NOT NULL,

    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', '
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING;
    SELECT changes();
'),
('UpdateIAmAlivetimeKey', '
    UPDATE OrleansMembershipTable
    SET IAmAliveTime = @IAmAliveTime
    WHERE DeploymentId = @DeploymentId
      AND Address = @Address
      AND Port = @Port
      AND Generation = @Generation;
'),
('InsertMembershipKey', '
    BEGIN IMMEDIATE;
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    SELECT @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
    WHERE EXISTS (
        SELECT 1 FROM OrleansMembershipVersionTable
        WHERE DeploymentId = @DeploymentId AND Version = @Version)
    ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1,
        Timestamp = strftime(''%Y-%m-%d %H:%M:%f'', ''now'')
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version
      AND changes() > 0;
    SELECT changes();
    COMMIT;
'),
('UpdateMembershipKey', '
    BEGIN IMMEDIATE;
    UPDATE OrleansMembershipTable
    SET Status = @Status,
        SuspectTimes = @SuspectTimes,
        IAmAliveTime = @IAmAliveTime
    WHERE DeploymentId = @DeploymentId
      AND Address = @Address
      AND Port = @Port
      AND Generation = @Generation
      AND EXISTS (
          SELECT 1 FROM OrleansMembershipVersionTable
          WHERE DeploymentId = @DeploymentId AND Version = @Version);
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1,
        Timestamp = strftime(''%Y-%m-%d %H:%M:%f'', ''now'')
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version
      AND changes() > 0;
    SELECT changes();
    COMMIT;
'),
('MembershipReadRowKey', '
    SELECT
        v.DeploymentId,
        m.Address,
        m.Port,
        m.Generation,
        m.SiloName,
        m.HostName,
        m.Status,
        m.ProxyPort,
        m.SuspectTimes,
        m.StartTime,
        m.IAmAliveTime,
        v.Version
    FROM OrleansMembershipVersionTable v
    LEFT OUTER JOIN OrleansMembershipTable m
        ON v.DeploymentId = m.DeploymentId
       AND m.Address = @Address
       AND m.Port = @Port
       AND m.Generation = @Generation
    WHERE v.DeploymentId = @DeploymentId;
'),
('MembershipReadAllKey', '
    SELECT
        v.DeploymentId,
        m.Address,
        m.Port,
        m.Generation,
        m.SiloName,
        m.HostName,
        m.Status,
        m.ProxyPort,
        m.SuspectTimes,
        m.StartTime,
        m.IAmAliveTime,
        v.Version
    FROM OrleansMembershipVersionTable v
    LEFT OUTER JOIN OrleansMembershipTable m
        ON v.DeploymentId = m.DeploymentId
    WHERE v.DeploymentId = @DeploymentId;
'),
('DeleteMembershipTableEntriesKey', '
    DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
    DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
'),
('GatewaysQueryKey', '
    SELECT Address, ProxyPort, Generation
    FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
      AND Status = @Status
      AND ProxyPort > 0;
'),
('CleanupDefunctSiloEntriesKey', '
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
      AND IAmAliveTime < @IAmAliveTime
      AND Status != 3;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
