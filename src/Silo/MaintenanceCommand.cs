using Assistant.Maintenance;
using Assistant.Monitoring;
using Assistant.Silo.Hosting;
using Assistant.Storage;
using Assistant.Tasks;

namespace Assistant.Silo;

/// <summary>
/// <c>Assistant.Silo maintenance OPERATION</c>: runs one maintenance operation against the
/// configured database without starting a silo (the service may be running or not), records it
/// in <c>server_tasks</c>, prints what it did. Exit code 0 done, 1 failed, 2 not available here.
/// </summary>
public static class MaintenanceCommand
{
    public const string Verb = "maintenance";

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Verb;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2 || args[1].StartsWith('-'))
        {
            Console.Error.WriteLine($"usage: {Verb} OPERATION [--Section:Key=value ...]");
            Console.Error.WriteLine($"operations: {string.Join(", ", MaintenanceOperations.Names)}");
            return ExitCodes.StartupFailed;
        }

        var operation = args[1];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args[2..], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection([new("Logs:Console", "false")]);
        builder.AddAssistantLogging();
        builder.AddAssistantStorage();
        builder.Services.AddKeyedSingleton(Clock.Key, TimeProvider.System);
        builder.Services.AddOptions<MonitoringOptions>().BindConfiguration(MonitoringOptions.Section);
        builder.Services.AddOptions<MaintenanceOptions>().BindConfiguration(MaintenanceOptions.Section);
        builder.Services.AddSingleton<ServerTasks>();
        builder.Services.AddSingleton<Logs.LogLifecycle>();
        builder.Services.AddSingleton<MaintenanceOperations>();
        using var host = builder.Build();

        var operations = host.Services.GetRequiredService<MaintenanceOperations>();
        if (operation == MaintenanceOperations.IntegrityCheck)
        {
            return await CheckIntegrityAsync(host.Services.GetRequiredService<Database>(), operations);
        }

        try
        {
            await host.Services.GetRequiredService<SchemaMigrator>().MigrateAsync();
        }
        catch (StartupFailureException ex)
        {
            Console.Error.WriteLine($"Maintenance {operation} cannot run: {ex.Message}");
            return ExitCodes.Crashed;
        }

        if (operations.Refusal(operation) is { } refusal)
        {
            Console.Error.WriteLine(refusal);
            return ExitCodes.StartupFailed;
        }

        var tasks = host.Services.GetRequiredService<ServerTasks>();
        try
        {
            var result = await operations.RunAsync(operation);
            var id = await tasks.RecordAsync(operation, succeeded: true, MaintenanceOperations.ToJson(result), null);
            Console.WriteLine($"{operation}: {result.Summary} (task {id})");
            return ExitCodes.Stopped;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var id = await tasks.RecordAsync(operation, succeeded: false, null, ex.Message);
            Console.Error.WriteLine($"{operation} failed: {ex.Message} (task {id})");
            return ExitCodes.Crashed;
        }
    }

    /// <summary>
    /// The integrity check reads and nothing else: no schema migration, no <c>server_tasks</c> row,
    /// a read-only connection, so a damaged file is left exactly as it was found (start.sh runs this
    /// before every start). Exit code 0 ok, 1 problems or unreadable.
    /// </summary>
    private static async Task<int> CheckIntegrityAsync(Database database, MaintenanceOperations operations)
    {
        if (operations.Refusal(MaintenanceOperations.IntegrityCheck) is { } refusal)
        {
            Console.Error.WriteLine(refusal);
            return ExitCodes.StartupFailed;
        }

        if (!File.Exists(database.FilePath))
        {
            Console.Error.WriteLine($"{MaintenanceOperations.IntegrityCheck} failed: there is no database at {database.FilePath}");
            return ExitCodes.Crashed;
        }

        try
        {
            var result = await operations.RunAsync(MaintenanceOperations.IntegrityCheck);
            Console.WriteLine($"{MaintenanceOperations.IntegrityCheck}: {result.Summary} (read-only: not recorded in server_tasks)");
            return ExitCodes.Stopped;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"{MaintenanceOperations.IntegrityCheck} failed: {ex.Message}");
            return ExitCodes.Crashed;
        }
    }
}
