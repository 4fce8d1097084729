using System.Globalization;
using System.Text.Json;
using Assistant.Monitoring;
using Assistant.Storage;
using Assistant.Tasks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Maintenance;

/// <summary>
/// The database maintenance operations, for both the task runner and the command line:
/// WAL checkpoint (TRUNCATE), ANALYZE, REINDEX, VACUUM, integrity check, online backup and the
/// server_tasks retention. On PostgreSQL the SQLite-specific ones say so and name the equivalent.
/// And one that is not the database's: the log lifecycle of this host's log folder (<see cref="Logs.LogLifecycle"/>).
/// </summary>
public sealed partial class MaintenanceOperations(
    Database database,
    ServerTasks tasks,
    Logs.LogLifecycle logs,
    IOptions<MaintenanceOptions> options,
    IOptions<MonitoringOptions> monitoring,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<MaintenanceOperations> logger)
{
    public const string Checkpoint = "checkpoint";
    public const string Analyze = "analyze";
    public const string Reindex = "reindex";
    public const string Vacuum = "vacuum";
    public const string IntegrityCheck = "integrity-check";
    public const string Backup = "backup";
    public const string TaskCleanup = "task-cleanup";
    public const string Logs = "logs";

    public static readonly string[] Names = [Checkpoint, Analyze, Reindex, Vacuum, IntegrityCheck, Backup, TaskCleanup, Logs];

    /// <summary>VACUUM, REINDEX and backups are low priority: they wait for a quiet moment (<see cref="LowPriorityWindow"/>); the rest are normal.</summary>
    public static string PriorityOf(string operation) => operation is Vacuum or Reindex or Backup ? ServerTask.Low : ServerTask.Normal;

    private static readonly string[] OurTables = ["grain_state", "orleansstorage", "orleansremindersTable", "orleansmembershiptable", "server_tasks", "chat_sessions"];

    /// <returns>Null when the operation can run on this database, otherwise why not (and what to use instead).</returns>
    public string? Refusal(string operation)
    {
        if (!Names.Contains(operation))
        {
            return $"'{operation}' is not a maintenance operation; use one of: {string.Join(", ", Names)}.";
        }

        if (database.Provider == StorageProvider.Sqlite || operation == Logs)
        {
            return null;
        }

        return operation switch
        {
            Checkpoint => "checkpoint is SQLite-specific (it folds the WAL file back into the database). PostgreSQL checkpoints on its own; an administrator can force one with CHECKPOINT.",
            IntegrityCheck => "integrity-check is SQLite-specific (PRAGMA integrity_check). On PostgreSQL use the amcheck extension (bt_index_check) or pg_amcheck.",
            Backup => "backup uses SQLite's online backup API. On PostgreSQL back up with pg_dump (for example: pg_dump -Fc -f backup/assistant.dump assistant).",
            _ => null,
        };
    }

    public async Task<MaintenanceResult> RunAsync(string operation, CancellationToken cancellationToken = default)
    {
        if (Refusal(operation) is { } refusal)
        {
            throw new NotSupportedException(refusal);
        }

        if (operation == Logs)
        {
            return Describe(logs.Run());
        }

        LogStarting(logger, operation, database.Describe());
        var result = database.Provider == StorageProvider.Sqlite
            ? await RunSqliteAsync(operation, cancellationToken)
            : await RunPostgresAsync(operation, cancellationToken);
        LogDone(logger, operation, result.Summary);
        return result;
    }

    /// <summary>The log lifecycle's reports (one per log folder) as a maintenance result.</summary>
    public static MaintenanceResult Describe(params LogLifecycleReport[] reports) => new(
        Logs,
        string.Join(" | ", reports.Select(r => r.Summary)),
        new Dictionary<string, object?>
        {
            ["folders"] = reports.Select(r => r.Folder).ToList(),
            ["rotated"] = reports.SelectMany(r => r.Rotated).ToList(),
            ["compressed"] = reports.SelectMany(r => r.Compressed).ToList(),
            ["moved"] = reports.SelectMany(r => r.Moved).ToList(),
            ["deleted"] = reports.SelectMany(r => r.Deleted).ToList(),
            ["bytes_saved"] = reports.Sum(r => r.BytesSaved),
            ["problems"] = reports.SelectMany(r => r.Problems).ToList(),
        });

    /// <summary>The result as stored in <c>server_tasks.result</c>: the summary and the figures.</summary>
    public static string ToJson(MaintenanceResult result) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>(result.Details) { ["summary"] = result.Summary }, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private async Task<MaintenanceResult> RunSqliteAsync(string operation, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case Checkpoint:
            {
                var (busy, log, done) = await CheckpointAsync(cancellationToken);
                return Result(operation, busy == 0 ? $"WAL checkpointed ({done} of {log} frames) and truncated." : $"Checkpoint was partly blocked by readers ({done} of {log} frames).",
                    ("busy", busy), ("wal_frames", log), ("checkpointed_frames", done));
            }

            case Analyze:
                await ExecuteAsync("ANALYZE", cancellationToken);
                return Result(operation, "Query planner statistics refreshed.");
            case Reindex:
                await ExecuteAsync("REINDEX", cancellationToken);
                return Result(operation, "All indexes rebuilt.");
            case Vacuum:
            {
                var before = SqliteBytes();
                await ExecuteAsync("VACUUM", cancellationToken);
                await CheckpointAsync(cancellationToken);
                var after = SqliteBytes();
                return Result(operation, $"Database rebuilt: {Mb(before)} MB -> {Mb(after)} MB.", ("bytes_before", before), ("bytes_after", after));
            }

            case IntegrityCheck:
            {
                var problems = await IntegrityProblemsAsync(cancellationToken);
                return problems.Count == 0
                    ? Result(operation, "ok", ("ok", true))
                    : throw new InvalidOperationException($"integrity_check found {problems.Count} problem(s): {string.Join("; ", problems.Take(10))}");
            }

            case Backup:
                return await BackupAsync(cancellationToken);
            default:
                return await CleanTasksAsync(cancellationToken);
        }
    }

    private async Task<MaintenanceResult> RunPostgresAsync(string operation, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case Analyze:
                await ExecuteAsync("ANALYZE", cancellationToken);
                return Result(operation, "ANALYZE: query planner statistics refreshed.");
            case Vacuum:
                await ExecuteAsync("VACUUM (ANALYZE)", cancellationToken);
                return Result(operation, "VACUUM (ANALYZE) done: dead rows reclaimed for reuse (PostgreSQL's VACUUM does not shrink files; VACUUM FULL would, with an exclusive lock).");
            case Reindex:
                foreach (var table in OurTables)
                {
                    await ExecuteAsync($"REINDEX TABLE {table}", cancellationToken);
                }

                return Result(operation, $"REINDEX TABLE done for {string.Join(", ", OurTables)}.");
            default:
                return await CleanTasksAsync(cancellationToken);
        }
    }

    private async Task<MaintenanceResult> CleanTasksAsync(CancellationToken cancellationToken)
    {
        var days = monitoring.Value.TaskRetentionDays;
        var deleted = await tasks.DeleteFinishedBeforeAsync(time.GetUtcNow() - TimeSpan.FromDays(days), cancellationToken);
        return Result(TaskCleanup, $"Deleted {deleted} completed or failed tasks older than {days} days.", ("deleted", deleted));
    }

    private async Task<MaintenanceResult> BackupAsync(CancellationToken cancellationToken)
    {
        var folder = Path.GetFullPath(options.Value.BackupDirectory);
        Directory.CreateDirectory(folder);
        var name = $"system-{time.GetUtcNow():yyyyMMdd-HHmmss}.db";
        var target = Path.Combine(folder, name);
        await using (var source = (SqliteConnection)await database.OpenAsync(cancellationToken))
        await using (var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ConnectionString))
        {
            await destination.OpenAsync(cancellationToken);
            source.BackupDatabase(destination);
        }

        var removed = new List<string>();
        foreach (var old in Directory.GetFiles(folder, "system-*.db").OrderByDescending(f => f, StringComparer.Ordinal).Skip(Math.Max(1, options.Value.BackupRetain)))
        {
            File.Delete(old);
            removed.Add(Path.GetFileName(old));
        }

        var bytes = new FileInfo(target).Length;
        return Result(Backup, $"Backed up to {target} ({Mb(bytes)} MB); {removed.Count} older backup(s) removed.",
            ("file", target), ("bytes", bytes), ("removed", removed));
    }

    private Task<(long Busy, long Log, long Done)> CheckpointAsync(CancellationToken cancellationToken) => database.CheckpointAsync(cancellationToken);

    /// <summary>PRAGMA integrity_check on a read-only connection: checking a damaged file never writes into it.</summary>
    private async Task<List<string>> IntegrityProblemsAsync(CancellationToken cancellationToken)
    {
        var readOnly = new SqliteConnectionStringBuilder(database.ConnectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        await using var connection = new SqliteConnection(readOnly.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand("PRAGMA integrity_check");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lines = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(reader.GetString(0));
        }

        return lines is ["ok"] ? [] : lines;
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(sql);
        command.CommandTimeout = 0; // VACUUM and REINDEX take as long as the database needs.
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private long SqliteBytes()
    {
        var file = database.FilePath!;
        return Size(file) + Size(file + "-wal");

        static long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
    }

    private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.00", CultureInfo.InvariantCulture);

    private static MaintenanceResult Result(string operation, string summary, params (string Key, object? Value)[] details) =>
        new(operation, summary, details.ToDictionary(d => d.Key, d => d.Value));

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Maintenance {Operation} starting on {Database}")]
    private static partial void LogStarting(ILogger logger, string operation, string database);

    [LoggerMessage(Level = LogLevel.Information, Message = "Maintenance {Operation}: {Summary}")]
    private static partial void LogDone(ILogger logger, string operation, string summary);
}
