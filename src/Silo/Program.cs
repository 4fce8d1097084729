using Assistant.Silo;
using Assistant.Silo.Hosting;

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
