using Assistant.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>A migrated database of our schema in a temporary folder.</summary>
public static class TestDatabase
{
    public static Database Sqlite(string path) =>
        new(Options.Create(new StorageOptions { Provider = StorageProvider.Sqlite, DatabasePath = path }));

    public static SchemaMigrator Migrator(Database database) => new(database, NullLogger<SchemaMigrator>.Instance);

    public static async Task<Database> MigratedSqliteAsync(string path)
    {
        var database = Sqlite(path);
        await Migrator(database).MigrateAsync();
        return database;
    }

    /// <summary>Everything that makes up the schema, for either kind of database.</summary>
    public static async Task<string> DumpSchemaAsync(Database database) =>
        database.FilePath is { } file ? await DumpSqliteSchemaAsync(file) : await DumpPostgresSchemaAsync(database);

    /// <summary>Tables, columns, indexes, functions and the Orleans query texts of a PostgreSQL database.</summary>
    public static async Task<string> DumpPostgresSchemaAsync(Database database)
    {
        await using var connection = await database.OpenAsync();
        var lines = new List<string>();
        foreach (var sql in new[]
        {
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1",
            "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
            "SELECT p.proname || ': ' || md5(p.prosrc) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1",
            "SELECT QueryKey || ': ' || QueryText FROM OrleansQuery ORDER BY QueryKey",
        })
        {
            await using var command = connection.CreateCommand(sql);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        return string.Join('\n', lines);
    }

    /// <summary>Everything that makes up the schema: objects with their SQL, and the Orleans query texts.</summary>
    public static async Task<string> DumpSqliteSchemaAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        var lines = new List<string>();
        await using (var objects = connection.CreateCommand())
        {
            objects.CommandText = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name";
            await using var reader = await objects.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add($"{reader.GetString(0)} {reader.GetString(1)}: {(reader.IsDBNull(2) ? "" : reader.GetString(2))}");
            }
        }

        await using (var queries = connection.CreateCommand())
        {
            queries.CommandText = "SELECT QueryKey, QueryText FROM OrleansQuery ORDER BY QueryKey";
            await using var reader = await queries.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add($"query {reader.GetString(0)}: {reader.GetString(1)}");
            }
        }

        return string.Join('\n', lines);
    }
}
