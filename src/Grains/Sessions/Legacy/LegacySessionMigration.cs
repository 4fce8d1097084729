using Assistant.Telegram;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// On every silo, at start: has each conversation stored before the key spaces (a <c>legacy:</c>
/// row of <c>chat_sessions</c>) taken over by the session it belongs to, so that dormant ones move
/// too (an active session takes over at its activation). A key that fails is logged and passed;
/// the pass is repeated, after a pause, until none is left, and then this silo stops looking.
/// Several silos doing this at once move each conversation once: the take-over is idempotent.
/// </summary>
internal sealed partial class LegacySessionMigration(
    IGrainFactory grains,
    SessionDirectory directory,
    LegacySessions legacy,
    [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<LegacySessionMigration> logger) : BackgroundService
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var moved = 0;
        for (var pass = 1; !stoppingToken.IsCancellationRequested; pass++)
        {
            var (found, failed) = (0, 0);
            try
            {
                string? after = null;
                for (var keys = await directory.FindLegacyAsync(after, BatchSize, stoppingToken); keys.Count > 0; keys = await directory.FindLegacyAsync(after, BatchSize, stoppingToken))
                {
                    foreach (var key in keys)
                    {
                        found++;
                        if (await MoveAsync(key, stoppingToken) is { } ok)
                        {
                            moved += ok ? 1 : 0;
                        }
                        else
                        {
                            failed++;
                        }
                    }

                    after = keys[^1];
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogPassFailed(logger, ex.GetType().Name, ex.Message);
                failed++;
            }

            if (found == 0 && failed == 0)
            {
                legacy.NoneRemain();
                break;
            }

            if (failed > 0)
            {
                await Task.Delay(Backoff.Jittered(pass), time, stoppingToken);
            }
        }

        if (moved > 0)
        {
            LogDone(logger, moved);
        }
    }

    /// <returns>True when moved, false when nothing was stored, null when it failed.</returns>
    private async Task<bool?> MoveAsync(string key, CancellationToken stoppingToken)
    {
        try
        {
            if (await grains.GetGrain<ILegacySessionGrain>(key).ReadAsync().WaitAsync(stoppingToken) is not { } conversation)
            {
                return false;
            }

            await grains.GetGrain<ISessionAdoption>(conversation.Target).AdoptLegacyAsync().WaitAsync(stoppingToken);
            return true;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogKeyFailed(logger, key, ex.GetType().Name, ex.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sessions: moved {Count} conversations stored before the key spaces into api:/tg: keys")]
    private static partial void LogDone(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sessions: the conversation stored under {LegacyKey} could not be moved into its key space ({Exception}: {Reason}); retried after the others")]
    private static partial void LogKeyFailed(ILogger logger, string legacyKey, string exception, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sessions: looking for conversations stored before the key spaces failed ({Exception}: {Reason}); retrying")]
    private static partial void LogPassFailed(ILogger logger, string exception, string reason);
}
