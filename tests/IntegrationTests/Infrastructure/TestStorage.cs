using Assistant.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Assistant.IntegrationTests.Infrastructure;

public enum StorageKind
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// A fresh database of either kind for one test. PostgreSQL comes from ASSISTANT_TEST_POSTGRES
/// (scripts/test.sh starts a server and sets it); each test gets a database of its own.
/// </summary>
public static class TestStorage
{
    public static string PostgresAdmin => Environment.GetEnvironmentVariable("ASSISTANT_TEST_POSTGRES")
        ?? throw new InvalidOperationException(
            "ASSISTANT_TEST_POSTGRES is not set. Run the tests with scripts/test.sh, which starts a PostgreSQL server for them, " +
            "or set it to a server's connection string (Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres).");

    public static async Task<string> NewPostgresDatabaseAsync(string purpose)
    {
        var name = $"t_{purpose.Replace('-', '_')}_{Guid.NewGuid():N}"[..40].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(PostgresAdmin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = name }.ConnectionString;
    }

    /// <summary>Configuration keys that point a silo at a new database of this kind.</summary>
    public static async Task<Dictionary<string, string?>> SettingsAsync(StorageKind kind, string directory, string purpose) => kind switch
    {
        StorageKind.Sqlite => new() { ["Storage:Provider"] = "Sqlite", ["Storage:DatabasePath"] = Path.Combine(directory, "data", "system.db") },
        _ => new() { ["Storage:Provider"] = "PostgreSql", ["Storage:ConnectionString"] = await NewPostgresDatabaseAsync(purpose) },
    };

    public static Database Database(IReadOnlyDictionary<string, string?> settings, int commandTimeoutSeconds = 30) => new(Options.Create(new StorageOptions
    {
        CommandTimeoutSeconds = commandTimeoutSeconds,
        Provider = Enum.Parse<StorageProvider>(settings["Storage:Provider"]!),
        DatabasePath = settings.GetValueOrDefault("Storage:DatabasePath") ?? "unused.db",
        ConnectionString = settings.GetValueOrDefault("Storage:ConnectionString"),
    }));

    public static async Task<Database> MigratedAsync(StorageKind kind, string purpose)
    {
        var settings = await SettingsAsync(kind, TestPaths.NewTempDirectory(purpose), purpose);
        var database = Database(settings);
        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync();
        return database;
    }
}
