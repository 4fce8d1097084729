using Assistant.Monitoring;
using Assistant.Telegram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Silos;

/// <summary>
/// On every silo: calls the cluster singletons (the ResourceMonitor, the alert outbox, the restart manager, the task
/// runner, and the Telegram channel when it is configured) every few seconds, and picks up the
/// maintenance mode. A call activates a singleton that is not running, so one
/// lost with its silo is back within seconds, on a surviving silo. Reminders are the backstop.
/// The first calls wait until this silo is in the cluster manifest: placed before that, a call
/// finds no compatible silo and Orleans retries it with a warning and a stack trace.
/// </summary>
internal sealed partial class SingletonKeeper(
    IGrainFactory grains,
    IClusterManifestProvider manifest,
    ILocalSiloDetails silo,
    IOptions<TelegramOptions> telegram,
    IOptions<SingletonKeeperOptions> options,
    Maintenance.ServiceMode mode,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<SingletonKeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.Seconds), time);
        await InManifestAsync(stoppingToken);
        do
        {
            await KeepAsync("ResourceMonitor", () => grains.GetGrain<IResourceMonitorGrain>(0).EnsureRunningAsync(), stoppingToken);
            await KeepAsync("AlertOutbox", () => grains.GetGrain<IAlertDeliveryGrain>(0).EnsureRunningAsync(), stoppingToken);
            await KeepAsync("RestartManager", () => grains.GetGrain<Restarts.IRestartManagerGrain>(0).EnsureRunningAsync(), stoppingToken);
            await KeepAsync("TaskRunner", () => grains.GetGrain<Maintenance.ITaskRunnerGrain>(0).EnsureRunningAsync(), stoppingToken);
            await KeepAsync("ServiceMode", async () => mode.Apply(await grains.GetGrain<Maintenance.IServiceModeGrain>(0).GetAsync()), stoppingToken);
            if (telegram.Value.Enabled)
            {
                await KeepAsync("TelegramChannel", () => grains.GetGrain<ITelegramChannelGrain>(0).EnsureRunningAsync(), stoppingToken);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Returns once the cluster manifest lists this silo, or after 30 s (the calls then retry as before).</summary>
    private async Task InManifestAsync(CancellationToken stoppingToken)
    {
        if (manifest.Current.Silos.ContainsKey(silo.SiloAddress))
        {
            return;
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await foreach (var current in manifest.Updates.WithCancellation(bounded.Token))
            {
                if (current.Silos.ContainsKey(silo.SiloAddress))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            LogNotInManifest(logger);
        }
    }

    private async Task KeepAsync(string singleton, Func<Task> call, CancellationToken stoppingToken)
    {
        try
        {
            await call().WaitAsync(TimeSpan.FromSeconds(10), stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnreachable(logger, singleton, ex.GetType().Name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "This silo is not in the cluster manifest 30 s after it started; calling the cluster singletons anyway")]
    private static partial void LogNotInManifest(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Singleton} not reachable yet ({Exception}: {Reason})")]
    private static partial void LogUnreachable(ILogger logger, string singleton, string exception, string reason);
}

/// <summary>Section <c>Cluster:Singletons</c>.</summary>
public sealed class SingletonKeeperOptions
{
    public const string Section = "Cluster:Singletons";

    /// <summary>Seconds between each silo's calls to the cluster singletons. Default 5.</summary>
    public double Seconds { get; set; } = 5;
}
