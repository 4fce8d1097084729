using Microsoft.Extensions.Options;
using Npgsql;

namespace Assistant.Storage;

public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (options.CommandTimeoutSeconds is < 1 or > 3600)
        {
            return Fail("Storage:CommandTimeoutSeconds", $"must be between 1 and 3600 (was {options.CommandTimeoutSeconds})");
        }

        if (!Enum.IsDefined(options.SqliteSynchronous))
        {
            return Fail("Storage:SqliteSynchronous", $"'{options.SqliteSynchronous}' is not supported; use Full (the default) or Normal");
        }

        return options.Provider switch
        {
            StorageProvider.Sqlite => ValidateSqlite(options),
            StorageProvider.PostgreSql => ValidatePostgreSql(options),
            _ => Fail("Storage:Provider", $"'{options.Provider}' is not supported; use Sqlite or PostgreSql"),
        };
    }

    private static ValidateOptionsResult ValidateSqlite(StorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            return Fail("Storage:DatabasePath", "is empty; give the SQLite file to use, for example data/system.db");
        }

        var path = Path.GetFullPath(options.DatabasePath);
        if (Directory.Exists(path))
        {
            return Fail("Storage:DatabasePath", $"'{path}' is a folder, not a database file");
        }

        var folder = Path.GetDirectoryName(path)!;
        var problem = WritableFolder.Check(folder);
        return problem is null ? ValidateOptionsResult.Success : Fail("Storage:DatabasePath", problem);
    }

    private static ValidateOptionsResult ValidatePostgreSql(StorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return Fail("Storage:ConnectionString", "is required when Storage:Provider is PostgreSql, for example Host=127.0.0.1;Database=assistant;Username=assistant");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return Fail("Storage:ConnectionString", $"is not a valid PostgreSQL connection string ({ex.Message})");
        }
    }

    private static ValidateOptionsResult Fail(string key, string message) => ValidateOptionsResult.Fail($"{key} {message}");
}
