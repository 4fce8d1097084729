using Assistant.Restarts;
using Assistant.Silo;
using Assistant.Silo.Hosting;

if (MaintenanceCommand.IsRequested(args))
{
    return await MaintenanceCommand.RunAsync(args);
}

try
{
    await using var app = AssistantApp.Build(args);
    app.ValidateSettings();
    var restart = app.Services.GetRequiredService<RestartCoordinator>(); // RunAsync disposes the services
    await app.RunAsync();
    return restart.RequestedExitCode ?? Environment.ExitCode;
}
catch (Exception ex) when (StartupErrors.Describe(ex) is { } line)
{
    Console.Error.WriteLine($"Startup failed: {line}");
    return ExitCodes.StartupFailed;
}
