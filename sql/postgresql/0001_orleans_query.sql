-- The OrleansQuery table holds every query the Orleans ADO.NET providers run; they read it once
-- at start-up. Key names, parameter names and result column names follow the provider contract.
-- Parameters carry explicit casts, so that a NULL value still has a type PostgreSQL can plan with.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,

    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);
