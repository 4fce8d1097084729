using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Assistant.Storage;

/// <summary>
/// Pooled SQLite connections that wait for the write lock inside SQLite (<c>busy_timeout</c>).
/// Without it, a writer that finds another mid-commit gets SQLITE_BUSY at once and
/// Microsoft.Data.Sqlite retries after sleeping its thread for 150 ms: under concurrent chats that
/// sleep, not the disk, set the pace. Every user of the database opens connections here: the
/// Orleans providers (through their <c>DataSource</c> option) and our own tables. Each connection
/// is also given <c>Storage:SqliteSynchronous</c> (a per-connection setting in SQLite), and
/// <c>secure_delete</c>: what a write replaces or deletes is overwritten with zeros, so an erased
/// conversation's words do not stay in the file's free space.
/// </summary>
public sealed class SqliteDataSource(string connectionString, TimeSpan busyTimeout, SqliteSynchronous synchronous = SqliteSynchronous.Full) : DbDataSource
{
    private readonly string _pragmas = string.Create(CultureInfo.InvariantCulture,
        $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}; PRAGMA synchronous = {(synchronous == SqliteSynchronous.Normal ? "NORMAL" : "FULL")}; PRAGMA secure_delete = ON");

    public override string ConnectionString => connectionString;

    // Every connection handed out sets the pragmas when it opens, however it is opened:
    // OpenConnection here, or CreateConnection and Open by a caller.
    protected override DbConnection CreateDbConnection() => new Connection(connectionString, _pragmas);

    protected override DbConnection OpenDbConnection()
    {
        var connection = CreateDbConnection();
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    // Microsoft.Data.Sqlite completes its async methods synchronously; this says so plainly.
    protected override ValueTask<DbConnection> OpenDbConnectionAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(OpenDbConnection());

    private sealed class Connection(string connectionString, string pragmas) : SqliteConnection(connectionString)
    {
        public override void Open()
        {
            base.Open();
            using var pragma = CreateCommand();
            pragma.CommandText = pragmas;
            pragma.ExecuteNonQuery();
        }

        public override Task OpenAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Open();
            return Task.CompletedTask;
        }
    }
}
