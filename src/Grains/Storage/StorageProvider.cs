namespace Assistant.Storage;

/// <summary>The database behind clustering, grain state, reminders and <c>server_tasks</c>.</summary>
public enum StorageProvider
{
    /// <summary>One SQLite file on this host (the embedded default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server shared by silos on several hosts.</summary>
    PostgreSql,
}
