namespace Assistant.Storage;

/// <summary>Where the service keeps its data. Section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>Sqlite</c> (default) or <c>PostgreSql</c>.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>
    /// The SQLite database file. Relative paths resolve against the working directory.
    /// Default <c>data/system.db</c>.
    /// </summary>
    public string DatabasePath { get; set; } = "data/system.db";

    /// <summary>
    /// The PostgreSQL connection string (required with <c>PostgreSql</c>). With SQLite it may
    /// replace the connection string built from <see cref="DatabasePath"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>Binary</c> (default) or <c>Json</c>: how grain state is written; either format reads the other.</summary>
    public StateFormat StateFormat { get; set; } = StateFormat.Binary;

    /// <summary>
    /// SQLite only: <c>Full</c> (default), every commit on the disk before it returns, or
    /// <c>Normal</c>, durable across a crash of the process but not of the machine
    /// (<see cref="SqliteSynchronous"/>).
    /// </summary>
    public SqliteSynchronous SqliteSynchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>Seconds a command may run before it is abandoned. Default 30.</summary>
    public int CommandTimeoutSeconds { get; set; } = 30;
}
