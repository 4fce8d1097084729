using Assistant.Silo;
using Assistant.Silo.Hosting;

if (MaintenanceCommand.IsRequested(args))
{
    return await MaintenanceCommand.RunAsync(args);
}

try
{
    await using var app = AssistantApp.Build(args);
    await app.RunAsync();
    return Environment.ExitCode;
}
catch (Exception ex) when (StartupErrors.Describe(ex) is { } line)
{
    Console.Error.WriteLine($"Startup failed: {line}");
    return ExitCodes.StartupFailed;
}
