using Assistant.IntegrationTests.Infrastructure;
using Assistant.Maintenance;
using Assistant.Monitoring;
using Assistant.Storage;
using Assistant.Tasks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Assistant.IntegrationTests.Operations;

/// <summary>Maintenance operations on a real SQLite file.</summary>
public sealed class MaintenanceTests
{
    [Fact]
    public async Task Vacuum_shrinks_the_file_after_deletes()
    {
        var (database, operations, _) = await CreateAsync();
        await ExecuteAsync(database, """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
            INSERT INTO server_tasks (type, status, payload) SELECT 'filler', 'completed', hex(randomblob(200)) FROM n;
            """);
        await operations.RunAsync(MaintenanceOperations.Checkpoint);
        var full = new FileInfo(database.FilePath!).Length;
        await ExecuteAsync(database, "DELETE FROM server_tasks WHERE type = 'filler'");

        var result = await operations.RunAsync(MaintenanceOperations.Vacuum);

        var after = new FileInfo(database.FilePath!).Length;
        Assert.True(after < full / 4, $"{full} bytes before, {after} after");
        Assert.Equal(after, (long)result.Details["bytes_after"]!);
        Assert.StartsWith("Database rebuilt", result.Summary);
    }

    [Fact]
    public async Task Integrity_check_reports_ok_on_a_sound_database()
    {
        var (_, operations, _) = await CreateAsync();

        var result = await operations.RunAsync(MaintenanceOperations.IntegrityCheck);

        Assert.Equal("ok", result.Summary);
    }

    [Fact]
    public async Task A_backup_restores_to_an_identical_database_and_old_backups_are_pruned()
    {
        var (database, operations, folder) = await CreateAsync(retain: 2);
        await ExecuteAsync(database, "INSERT INTO chat_sessions (session_id, created_at, last_active_at, message_count) VALUES ('a', '2026-11-01 10:00:00', '2026-11-02 10:00:00', 4)");
        await ExecuteAsync(database, "INSERT INTO server_tasks (type, status, payload) VALUES ('t', 'pending', 'x')");

        var first = await operations.RunAsync(MaintenanceOperations.Backup);
        var file = (string)first.Details["file"]!;

        Assert.Equal(await TestDatabase.DumpSqliteSchemaAsync(database.FilePath!), await TestDatabase.DumpSqliteSchemaAsync(file));
        Assert.Equal(await DumpRowsAsync(database.FilePath!), await DumpRowsAsync(file));
        Assert.Equal("ok", (await new MaintenanceOperations(TestDatabase.Sqlite(file), new ServerTasks(TestDatabase.Sqlite(file), TimeProvider.System), Logs(),
            Options.Create(new MaintenanceOptions()), Options.Create(new MonitoringOptions()), TimeProvider.System, NullLogger<MaintenanceOperations>.Instance)
            .RunAsync(MaintenanceOperations.IntegrityCheck)).Summary);

        // Two more (named by the second, so a pause keeps them apart): only the newest two stay.
        for (var i = 0; i < 2; i++)
        {
            await Task.Delay(1100);
            await operations.RunAsync(MaintenanceOperations.Backup);
        }

        Assert.Equal(2, Directory.GetFiles(folder, "system-*.db").Length);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task The_integrity_check_of_a_damaged_file_reports_it_and_writes_nothing_into_it()
    {
        var directory = TestPaths.NewTempDirectory("integrity-cli");
        var file = Path.Combine(directory, "data", "system.db");
        var database = await TestDatabase.MigratedSqliteAsync(file);
        await ExecuteAsync(database, """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
            INSERT INTO server_tasks (type, status, payload) SELECT 'filler', 'completed', hex(randomblob(100)) FROM n;
            PRAGMA wal_checkpoint(TRUNCATE);
            PRAGMA journal_mode=DELETE;
            """);
        SqliteConnection.ClearAllPools();
        var bytes = await File.ReadAllBytesAsync(file);
        Array.Fill(bytes, (byte)0x5A, bytes.Length / 2, 4096); // a page in the middle of the table
        await File.WriteAllBytesAsync(file, bytes);
        var environment = new Dictionary<string, string>
        {
            ["ASSISTANT_HOME"] = directory,
            ["ASSISTANT_CONFIGURATION"] = TestPaths.Configuration,
            ["ASSISTANT_NO_BUILD"] = "1",
        };

        var run = await Script.RunAsync("maintenance.sh", directory, environment, arguments: "integrity-check");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("integrity-check failed:", run.Error);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file));
        Assert.False(File.Exists(file + "-wal"));
    }

    [Fact]
    public async Task The_command_line_runs_an_operation_and_records_it_as_a_task()
    {
        var directory = TestPaths.NewTempDirectory("maintenance-cli");
        var environment = new Dictionary<string, string>
        {
            ["ASSISTANT_HOME"] = directory,
            ["ASSISTANT_CONFIGURATION"] = TestPaths.Configuration,
            ["ASSISTANT_NO_BUILD"] = "1",
        };

        var run = await Script.RunAsync("maintenance.sh", directory, environment, arguments: "analyze");
        var bogus = await Script.RunAsync("maintenance.sh", directory, environment, arguments: "polish");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("analyze: Query planner statistics refreshed.", run.Output);
        Assert.Equal(2, bogus.ExitCode);
        Assert.Contains("not a maintenance operation", bogus.Error);
        var tasks = await new ServerTasks(TestDatabase.Sqlite(Path.Combine(directory, "data", "system.db")), TimeProvider.System).ListAsync(null, 10);
        var task = Assert.Single(tasks);
        Assert.Equal(("analyze", "completed"), (task.Type, task.Status));
        Assert.Contains("analyze", ScriptedService.ReadShared(Path.Combine(directory, "logs", "tasks.log")));
    }

    [Fact]
    public async Task On_PostgreSQL_analyze_vacuum_and_reindex_run_and_the_SQLite_specific_ones_say_what_to_use_instead()
    {
        var database = await TestStorage.MigratedAsync(StorageKind.PostgreSql, "pg-maintenance");
        var operations = new MaintenanceOperations(database, new ServerTasks(database, TimeProvider.System), Logs(),
            Options.Create(new MaintenanceOptions()), Options.Create(new MonitoringOptions()), TimeProvider.System, NullLogger<MaintenanceOperations>.Instance);

        Assert.StartsWith("ANALYZE", (await operations.RunAsync(MaintenanceOperations.Analyze)).Summary);
        Assert.StartsWith("VACUUM (ANALYZE) done", (await operations.RunAsync(MaintenanceOperations.Vacuum)).Summary);
        Assert.StartsWith("REINDEX TABLE done", (await operations.RunAsync(MaintenanceOperations.Reindex)).Summary);
        Assert.Contains("pg_dump", operations.Refusal(MaintenanceOperations.Backup));
        Assert.Contains("SQLite-specific", operations.Refusal(MaintenanceOperations.IntegrityCheck));
        Assert.Contains("CHECKPOINT", operations.Refusal(MaintenanceOperations.Checkpoint));
        await Assert.ThrowsAsync<NotSupportedException>(() => operations.RunAsync(MaintenanceOperations.Backup));
    }

    private static async Task<(Database Database, MaintenanceOperations Operations, string BackupFolder)> CreateAsync(int retain = 7)
    {
        var directory = TestPaths.NewTempDirectory("maintenance");
        var database = await TestDatabase.MigratedSqliteAsync(Path.Combine(directory, "system.db"));
        var folder = Path.Combine(directory, "backup");
        var operations = new MaintenanceOperations(
            database,
            new ServerTasks(database, TimeProvider.System),
            Logs(),
            Options.Create(new MaintenanceOptions { BackupDirectory = folder, BackupRetain = retain }),
            Options.Create(new MonitoringOptions()),
            TimeProvider.System,
            NullLogger<MaintenanceOperations>.Instance);
        return (database, operations, folder);
    }

    private static async Task ExecuteAsync(Database database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> DumpRowsAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        var lines = new List<string>();
        foreach (var table in new[] { "chat_sessions", "server_tasks", "OrleansQuery", "schema_migrations" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table} ORDER BY 1";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(table + ": " + string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i)?.ToString())));
            }
        }

        return string.Join('\n', lines);
    }

    private static Assistant.Logs.LogLifecycle Logs() =>
        new(Options.Create(new Assistant.Logs.LogsOptions { Directory = TestPaths.NewTempDirectory("maintenance-logs") }), TimeProvider.System, NullLogger<Assistant.Logs.LogLifecycle>.Instance);
}
