using Assistant.Telegram;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// On every silo, once at start: moves the conversations stored before the key spaces (the
/// <c>legacy:</c> rows of <c>chat_sessions</c>) into their key spaces, a batch at a time, and then
/// ends. Each move is one call to the old key's <see cref="ILegacySessionGrain"/>, so several silos
/// doing this at once move each conversation once. A failed call is retried after a pause.
/// </summary>
internal sealed partial class LegacySessionMigration(
    IGrainFactory grains,
    SessionDirectory directory,
    [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<LegacySessionMigration> logger) : BackgroundService
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var moved = 0;
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var keys = await directory.FindLegacyAsync(BatchSize, stoppingToken);
                if (keys.Count == 0)
                {
                    break;
                }

                foreach (var key in keys)
                {
                    moved += await grains.GetGrain<ILegacySessionGrain>(key).MigrateAsync().WaitAsync(stoppingToken) is null ? 0 : 1;
                }

                attempt = 0;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogRetry(logger, ex.GetType().Name, ex.Message);
                await Task.Delay(Backoff.Jittered(attempt), time, stoppingToken);
            }
        }

        if (moved > 0)
        {
            LogDone(logger, moved);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sessions: moved {Count} conversations stored before the key spaces into api:/tg: keys")]
    private static partial void LogDone(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sessions: moving conversations into their key spaces failed ({Exception}: {Reason}); retrying")]
    private static partial void LogRetry(ILogger logger, string exception, string reason);
}
