using Assistant.IntegrationTests.Infrastructure;
using Assistant.Storage;
using Microsoft.Data.Sqlite;

namespace Assistant.IntegrationTests.Foundation;

public sealed class SchemaTests
{
    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task A_fresh_database_gets_every_script_in_order_and_a_recorded_version(StorageKind kind)
    {
        var settings = await TestStorage.SettingsAsync(kind, TestPaths.NewTempDirectory("schema"), "schema");
        var database = TestStorage.Database(settings);

        var applied = await TestDatabase.Migrator(database).MigrateAsync();

        var scripts = SchemaScript.For(database.Provider).Select(s => s.Version).ToList();
        Assert.Equal(scripts, applied);
        Assert.Equal(scripts, await TestDatabase.Migrator(database).AppliedVersionsAsync());
        Assert.Contains("server_tasks", await TestDatabase.DumpSchemaAsync(database));
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Migrating_twice_changes_nothing(StorageKind kind)
    {
        var database = await TestStorage.MigratedAsync(kind, "schema");
        var before = await TestDatabase.DumpSchemaAsync(database);

        var appliedAgain = await TestDatabase.Migrator(database).MigrateAsync();

        Assert.Empty(appliedAgain);
        Assert.Equal(before, await TestDatabase.DumpSchemaAsync(database));
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Running_every_script_a_second_time_leaves_the_same_schema(StorageKind kind)
    {
        var database = await TestStorage.MigratedAsync(kind, "schema");
        var before = await TestDatabase.DumpSchemaAsync(database);

        await using (var connection = await database.OpenAsync())
        {
            foreach (var script in SchemaScript.For(database.Provider))
            {
                await using var command = connection.CreateCommand(script.Sql);
                await command.ExecuteNonQueryAsync();
            }
        }

        Assert.Equal(before, await TestDatabase.DumpSchemaAsync(database));
    }

    [Fact]
    public async Task The_SQLite_database_is_switched_to_WAL()
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

    [Fact]
    public async Task An_unreachable_PostgreSQL_server_stops_startup_naming_the_setting()
    {
        var database = TestStorage.Database(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "PostgreSql",
            ["Storage:ConnectionString"] = $"Host=127.0.0.1;Port={TestPorts.Free()};Username=nobody;Database=none;Timeout=3",
        });

        var failure = await Assert.ThrowsAsync<StartupFailureException>(() => TestDatabase.Migrator(database).MigrateAsync());

        Assert.StartsWith("Storage:ConnectionString", failure.Message);
    }
}
