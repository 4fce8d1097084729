using Assistant.IntegrationTests.Infrastructure;
using Assistant.Storage;
using Microsoft.Data.Sqlite;

namespace Assistant.IntegrationTests.Foundation;

public sealed class SchemaTests
{
    [Fact]
    public async Task A_fresh_file_gets_every_script_in_order_and_a_recorded_version()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory("schema"), "system.db");
        var database = TestDatabase.Sqlite(path);

        var applied = await TestDatabase.Migrator(database).MigrateAsync();

        var scripts = SchemaScript.For(StorageProvider.Sqlite).Select(s => s.Version).ToList();
        Assert.Equal(scripts, applied);
        Assert.Equal(scripts, await TestDatabase.Migrator(database).AppliedVersionsAsync());
        Assert.Contains("table server_tasks", await TestDatabase.DumpSqliteSchemaAsync(path));
    }

    [Fact]
    public async Task Migrating_twice_changes_nothing()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory("schema"), "system.db");
        var database = await TestDatabase.MigratedSqliteAsync(path);
        var before = await TestDatabase.DumpSqliteSchemaAsync(path);

        var appliedAgain = await TestDatabase.Migrator(database).MigrateAsync();

        Assert.Empty(appliedAgain);
        Assert.Equal(before, await TestDatabase.DumpSqliteSchemaAsync(path));
    }

    [Fact]
    public async Task Running_every_script_a_second_time_leaves_the_same_schema()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory("schema"), "system.db");
        await TestDatabase.MigratedSqliteAsync(path);
        var before = await TestDatabase.DumpSqliteSchemaAsync(path);

        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            foreach (var script in SchemaScript.For(StorageProvider.Sqlite))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = script.Sql;
                await command.ExecuteNonQueryAsync();
            }
        }

        Assert.Equal(before, await TestDatabase.DumpSqliteSchemaAsync(path));
    }

    [Fact]
    public async Task The_database_is_switched_to_WAL()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory("schema"), "system.db");
        await TestDatabase.MigratedSqliteAsync(path);

        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_stops_migration_and_stays_byte_for_byte_the_same()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory("schema"), "system.db");
        var garbage = new byte[64 * 1024];
        new Random(7).NextBytes(garbage);
        await File.WriteAllBytesAsync(path, garbage);

        var failure = await Assert.ThrowsAsync<StartupFailureException>(() => TestDatabase.Migrator(TestDatabase.Sqlite(path)).MigrateAsync());

        Assert.Contains("Storage:DatabasePath", failure.Message);
        Assert.Contains("not a usable SQLite database", failure.Message);
        Assert.Contains("left untouched", failure.Message);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(path));
        Assert.False(File.Exists(path + "-wal"));
    }
}
