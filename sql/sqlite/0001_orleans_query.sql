-- The OrleansQuery table holds every query the Orleans ADO.NET providers run.
-- The providers read it once at start-up; the query keys, parameter names and
-- column names below follow the provider contract (see the PostgreSQL scripts
-- of dotnet/orleans for the reference shapes). Upserts keep re-runs idempotent
-- and let a later script replace a query text.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);
