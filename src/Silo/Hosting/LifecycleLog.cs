using Assistant.Api.Admin;
using Assistant.Storage;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Assistant.Silo.Hosting;

/// <summary>
/// The operations guide's start-up (🚀) and shutdown (🛑) lines: one when this silo is serving, naming
/// where; one when it starts to stop; one when it has stopped.
/// </summary>
public static partial class LifecycleLog
{
    public static void LogLifecycle(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Assistant.Silo");
        var silo = app.Services.GetRequiredService<ILocalSiloDetails>().Name;
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var database = app.Services.GetRequiredService<Database>();
            LogStarted(logger, silo, string.Join(", ", urls), database.Provider.ToString(), database.FilePath ?? "server", Environment.ProcessId);
            LogAccess(logger, Access(app.Services.GetRequiredService<IOptions<AdminOptions>>().Value.Mode));
        });
        app.Lifetime.ApplicationStopping.Register(() => LogStopping(logger, silo));
        app.Lifetime.ApplicationStopped.Register(() => LogStopped(logger, silo));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "🚀 Assistant started: silo {Silo}, HTTP {Urls}, storage {Provider} ({Database}), pid {Pid}")]
    private static partial void LogStarted(ILogger logger, string silo, string urls, string provider, string database, int pid);

    private static string Access(AccessMode mode) => mode switch
    {
        AccessMode.KeyRequired => "admin key required (Admin:ApiKey is set): every endpoint but /health, /health/live, /health/ready and the Telegram webhook needs it",
        AccessMode.Anonymous => "anonymous (Admin:AllowAnonymous=true, no Admin:ApiKey): every caller is served without a key, from anywhere",
        _ => "protected mode (no Admin:ApiKey): callers on this machine only; from elsewhere, or through a reverse proxy, only /health, /health/live, /health/ready and the Telegram webhook answer, the rest 401",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "🚀 Access: {Access}")]
    private static partial void LogAccess(ILogger logger, string access);

    [LoggerMessage(Level = LogLevel.Information, Message = "🛑 Assistant stopping: silo {Silo} is leaving the cluster")]
    private static partial void LogStopping(ILogger logger, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "🛑 Assistant stopped: silo {Silo}")]
    private static partial void LogStopped(ILogger logger, string silo);
}
