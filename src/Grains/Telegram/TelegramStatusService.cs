using Microsoft.Extensions.DependencyInjection;
using Assistant.Silos;
using Microsoft.Extensions.Logging;

namespace Assistant.Telegram;

/// <summary>Puts together the channel's status and every silo's counters.</summary>
public sealed partial class TelegramStatusService(
    TelegramBot bot,
    IGrainFactory grains,
    ISiloAgents agents,
    ClusterRetry retry,
    DeadLetters deadLetters,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<TelegramStatusService> logger)
{
    private (TelegramState State, DateTimeOffset At)? _cached;

    public async Task<TelegramStatus> GetAsync(CancellationToken cancellationToken = default)
    {
        var mode = bot.Options.Mode.ToString().ToLowerInvariant();
        if (!bot.Enabled)
        {
            return new TelegramStatus("disabled", mode, null, null, null, null, new TelegramMessageCounts(0, 0, 0), 0, null, 0, null, 0, 0, 0, 0, []);
        }

        var channel = await retry.CallAsync(() => grains.GetGrain<ITelegramChannelGrain>(0).GetStatusAsync(), cancellationToken);
        var silos = await CountersAsync(cancellationToken);
        var now = time.GetUtcNow();
        var lastUpdate = bot.Options.Mode == TelegramMode.Polling
            ? channel.LastPollAt
            : silos.Max(s => s.LastWebhookAt);
        var lastError = channel.LastError
            ?? silos.Where(s => s.LastError is not null).OrderByDescending(s => s.LastErrorAt).FirstOrDefault()?.LastError;
        _cached = (channel.State, now);
        return new TelegramStatus(
            channel.State.ToString().ToLowerInvariant(),
            mode,
            channel.Bot,
            channel.InitializedAt,
            lastUpdate is { } at ? Math.Round((now - at).TotalSeconds, 1) : null,
            channel.PendingUpdateCount,
            new TelegramMessageCounts(silos.Sum(s => s.Sent), silos.Sum(s => s.Edited), silos.Sum(s => s.Failed)),
            silos.Sum(s => s.TooManyRequests),
            lastError,
            channel.StallRestarts,
            channel.Silo,
            await DeadLetterCountAsync(cancellationToken),
            silos.Sum(s => s.Overflowed),
            channel.ParkedUpdates,
            channel.Offset,
            silos);
    }

    private async Task<long> DeadLetterCountAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await deadLetters.CountAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnknown(logger, $"dead letters: {ex.Message}");
            return -1;
        }
    }

    /// <summary>The channel state for <c>/health</c>, asked at most every two seconds.</summary>
    public async Task<string> StateAsync(CancellationToken cancellationToken = default)
    {
        if (!bot.Enabled)
        {
            return "disabled";
        }

        if (_cached is { } cached && time.GetUtcNow() - cached.At < TimeSpan.FromSeconds(2))
        {
            return cached.State.ToString().ToLowerInvariant();
        }

        try
        {
            var status = await grains.GetGrain<ITelegramChannelGrain>(0).GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            _cached = (status.State, time.GetUtcNow());
            return status.State.ToString().ToLowerInvariant();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnknown(logger, ex.Message);
            return "disconnected";
        }
    }

    private async Task<List<TelegramSiloCounters>> CountersAsync(CancellationToken cancellationToken)
    {
        var silos = await agents.ActiveSilosAsync();
        var counters = await Task.WhenAll(silos.Select(async s =>
        {
            try
            {
                return await agents.On(s.Address).GetTelegramCountersAsync().WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSiloUnreachable(logger, s.Name, ex.Message);
                return null;
            }
        }));
        return [.. counters.OfType<TelegramSiloCounters>().OrderBy(c => c.Silo, StringComparer.Ordinal)];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram channel state unknown: {Reason}")]
    private static partial void LogUnknown(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram counters: silo {Silo} did not answer ({Reason})")]
    private static partial void LogSiloUnreachable(ILogger logger, string silo, string reason);
}
