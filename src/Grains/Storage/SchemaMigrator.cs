using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Assistant.Storage;

/// <summary>
/// Brings the database to the schema of this build by applying the numbered scripts of
/// <c>sql/</c> that it has not applied yet, each in one transaction together with its row in
/// <c>schema_migrations</c>. Safe to run on every start and from several silos at once.
/// It never rewrites a file it cannot read: a database that is not a database stops start-up.
/// </summary>
public sealed partial class SchemaMigrator(Database database, ILogger<SchemaMigrator> logger)
{
    // Any constant works; it only has to be the same in every silo of the service.
    private const long PostgresMigrationLockKey = 0x417373697374;

    private const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations
        (
            version    INTEGER NOT NULL PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at TEXT    NOT NULL
        )
        """;

    /// <returns>The versions applied by this call (empty when the schema was already current).</returns>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var scripts = SchemaScript.For(database.Provider);
        if (scripts.Count == 0)
        {
            throw new InvalidOperationException($"This build has no schema scripts for {database.Provider} (sql/ is embedded at build time).");
        }

        try
        {
            return database.Provider == StorageProvider.Sqlite
                ? await MigrateSqliteAsync(scripts, cancellationToken)
                : await MigratePostgresAsync(scripts, cancellationToken);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 19 && ex.Message.Contains(ScriptRefusal, StringComparison.Ordinal))
        {
            // A script's own check (a CHECK constraint named with its reason) refused the upgrade:
            // the database is fine, and nothing was applied.
            throw new StartupFailureException($"Storage: the schema upgrade of {database.Describe()} was refused, nothing was changed: {Refusal(ex.Message)}", ex);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.RaiseException)
        {
            throw new StartupFailureException($"Storage: the schema upgrade of {database.Describe()} was refused, nothing was changed: {ex.MessageText}", ex);
        }
        catch (SqliteException ex)
        {
            throw new StartupFailureException(
                $"Storage:DatabasePath '{database.FilePath}' is not a usable SQLite database ({ex.Message.TrimEnd('.')}). " +
                "The file was left untouched: restore it from backup/ (see docs/operations.md) or move it aside to start with an empty database.",
                ex);
        }
        catch (NpgsqlException ex)
        {
            throw new StartupFailureException(
                $"Storage:ConnectionString: cannot prepare the PostgreSQL database {database.Describe()} ({ex.Message.TrimEnd('.')}).", ex);
        }
    }

    // How SQLite words a failed CHECK constraint; the scripts name theirs with the reason.
    private const string ScriptRefusal = "CHECK constraint failed: ";

    private static string Refusal(string message)
    {
        var reason = message[(message.IndexOf(ScriptRefusal, StringComparison.Ordinal) + ScriptRefusal.Length)..];
        return reason.TrimEnd('.', '\'', ' ');
    }

    /// <summary>The versions recorded in <c>schema_migrations</c>, oldest first.</summary>
    public async Task<IReadOnlyList<int>> AppliedVersionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadAppliedAsync(connection, null, cancellationToken);
    }

    private async Task<IReadOnlyList<int>> MigrateSqliteAsync(IReadOnlyList<SchemaScript> scripts, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(database.FilePath)!);
        await using var connection = await database.OpenAsync(cancellationToken);

        // Reading the schema first makes a file that is not a database fail here, before any write.
        await using (var probe = connection.CreateCommand("SELECT count(*) FROM sqlite_master"))
        {
            await probe.ExecuteScalarAsync(cancellationToken);
        }

        // WAL is a property of the file: set once, every later connection uses it.
        await using (var wal = connection.CreateCommand("PRAGMA journal_mode=WAL"))
        {
            await wal.ExecuteScalarAsync(cancellationToken);
        }

        // BeginTransaction on SQLite is BEGIN IMMEDIATE: a second silo starting at the same
        // moment waits here and then finds the scripts applied.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var applied = await ApplyMissingAsync(connection, transaction, scripts, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    private async Task<IReadOnlyList<int>> MigratePostgresAsync(IReadOnlyList<SchemaScript> scripts, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = connection.CreateCommand("SELECT pg_advisory_xact_lock(@key)", transaction).With("key", PostgresMigrationLockKey))
        {
            await lockCommand.ExecuteScalarAsync(cancellationToken);
        }

        var applied = await ApplyMissingAsync(connection, transaction, scripts, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    private async Task<IReadOnlyList<int>> ApplyMissingAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<SchemaScript> scripts, CancellationToken cancellationToken)
    {
        await using (var create = connection.CreateCommand(CreateVersionTable, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var known = (await ReadAppliedAsync(connection, transaction, cancellationToken)).ToHashSet();
        var newest = scripts.Count == 0 ? 0 : scripts[^1].Version;
        if (known.Count > 0 && known.Max() > newest)
        {
            LogNewerSchema(logger, known.Max(), newest);
        }

        var applied = new List<int>();
        foreach (var script in scripts.Where(s => !known.Contains(s.Version)))
        {
            await using (var run = connection.CreateCommand(script.Sql, transaction))
            {
                await run.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = connection.CreateCommand(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)", transaction))
            {
                await record.With("version", script.Version).With("name", script.Name)
                    .With("at", DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
                    .ExecuteNonQueryAsync(cancellationToken);
            }

            LogApplied(logger, script.Version, script.Name, database.Describe());
            applied.Add(script.Version);
        }

        if (applied.Count == 0)
        {
            LogCurrent(logger, database.Describe(), newest);
        }

        return applied;
    }

    private static async Task<IReadOnlyList<int>> ReadAppliedAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var versions = new List<int>();
        await using var command = connection.CreateCommand("SELECT version FROM schema_migrations ORDER BY version", transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        return versions;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema script {Version} ({Name}) to {Database}")]
    private static partial void LogApplied(ILogger logger, int version, string name, string database);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema of {Database} is current (version {Version})")]
    private static partial void LogCurrent(ILogger logger, string database, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database has schema version {Found}, newer than this build knows ({Known}); running anyway")]
    private static partial void LogNewerSchema(ILogger logger, int found, int known);
}
