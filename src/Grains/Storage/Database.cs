using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Assistant.Storage;

/// <summary>
/// The one database of the service: what the Orleans ADO.NET providers are pointed at, and
/// where our own tables (<c>server_tasks</c>, ...) live. Every connection comes from its
/// <see cref="DataSource"/> (pooled).
/// </summary>
public sealed class Database : IAsyncDisposable
{
    public Database(IOptions<StorageOptions> options)
    {
        var value = options.Value;
        Provider = value.Provider;
        CommandTimeout = TimeSpan.FromSeconds(value.CommandTimeoutSeconds);
        if (Provider == StorageProvider.Sqlite)
        {
            var builder = string.IsNullOrWhiteSpace(value.ConnectionString)
                ? new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(value.DatabasePath) }
                : new SqliteConnectionStringBuilder(value.ConnectionString);
            builder.Pooling = true;
            builder.DefaultTimeout = value.CommandTimeoutSeconds;
            FilePath = Path.GetFullPath(builder.DataSource);
            builder.DataSource = FilePath;
            ConnectionString = builder.ConnectionString;
            DataSource = new SqliteDataSource(ConnectionString, CommandTimeout, value.SqliteSynchronous);
        }
        else
        {
            var builder = new NpgsqlConnectionStringBuilder(value.ConnectionString) { CommandTimeout = value.CommandTimeoutSeconds };
            ConnectionString = builder.ConnectionString;
            DataSource = NpgsqlDataSource.Create(ConnectionString);
        }
    }

    public StorageProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>The full path of the SQLite file; null on PostgreSQL.</summary>
    public string? FilePath { get; }

    public TimeSpan CommandTimeout { get; }

    /// <summary>Where every connection to the database comes from; the Orleans providers are given it too.</summary>
    public DbDataSource DataSource { get; }

    /// <summary>The invariant name the Orleans ADO.NET providers expect.</summary>
    public string AdoNetInvariant => Provider == StorageProvider.Sqlite ? "System.Data.SQLite" : "Npgsql";

    /// <summary>Where the data is, for messages and status pages: never includes a password.</summary>
    public string Describe()
    {
        if (FilePath is not null)
        {
            return FilePath;
        }

        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgresql://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
    }

    public ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        DataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    /// <summary>
    /// Reads from the database; throws when it does not answer. On SQLite this opens the file
    /// afresh (no pool, no create), so a file that was removed or replaced is noticed even
    /// though pooled connections still hold the old one open.
    /// </summary>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        if (Provider == StorageProvider.Sqlite)
        {
            var probe = new SqliteConnectionStringBuilder(ConnectionString) { Pooling = false, Mode = SqliteOpenMode.ReadWrite };
            await using var file = new SqliteConnection(probe.ConnectionString);
            await file.OpenAsync(cancellationToken);
            await using var read = file.CreateCommand("SELECT count(*) FROM sqlite_master");
            await read.ExecuteScalarAsync(cancellationToken);
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>
    /// SQLite: copies the write-ahead log into the file and truncates it (<c>wal_checkpoint(TRUNCATE)</c>),
    /// so what was overwritten lives on in neither; returns (busy, log frames, frames done). PostgreSQL: nothing to do.
    /// </summary>
    /// <param name="busyTimeout">How long to wait for writers and readers in the way (a checkpoint blocks new writers meanwhile); the connection's usual wait when null.</param>
    public async Task<(long Busy, long Log, long Done)> CheckpointAsync(CancellationToken cancellationToken = default, TimeSpan? busyTimeout = null)
    {
        if (Provider != StorageProvider.Sqlite)
        {
            return (0, 0, 0);
        }

        await using var connection = await OpenAsync(cancellationToken);
        if (busyTimeout is { } wait)
        {
            await SetBusyTimeoutAsync(connection, wait, cancellationToken);
        }

        try
        {
            await using var command = connection.CreateCommand("PRAGMA wal_checkpoint(TRUNCATE)");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        finally
        {
            if (busyTimeout is not null)
            {
                await SetBusyTimeoutAsync(connection, CommandTimeout, CancellationToken.None); // back to the pool with the wait every connection has
            }
        }
    }

    private static async Task SetBusyTimeoutAsync(DbConnection connection, TimeSpan wait, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand($"PRAGMA busy_timeout = {(long)wait.TotalMilliseconds}");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
