using Microsoft.Extensions.DependencyInjection;
using Telegram.Bot.Exceptions;

namespace Assistant.Telegram;

/// <summary>
/// What the channel knows of its own condition, and reports: its state (for <c>/telegram/status</c>
/// and the gauges, through <see cref="TelegramLink"/>), the bot's identity, the last completed poll
/// and the last error (also counted in <see cref="TelegramCounters"/>). One per channel activation.
/// </summary>
internal sealed class ChannelCondition(TelegramLink link, TelegramCounters counters, ILocalSiloDetails silo, [FromKeyedServices(Clock.Key)] TimeProvider time)
{
    /// <summary>How long a first poll must stay open without an error before the channel says connected.</summary>
    private static readonly TimeSpan OpenPollCounts = TimeSpan.FromSeconds(2);

    private TelegramState _status = TelegramState.Initializing;

    // When the long poll now waiting at Telegram opened; null between polls.
    private DateTimeOffset? _pollOpenSince;
    private DateTimeOffset _loopStartedAt;

    public string Silo => silo.Name;

    public TelegramBotUser? Identity { get; private set; }

    public DateTimeOffset? InitializedAt { get; private set; }

    public DateTimeOffset? LastPollAt { get; private set; }

    public string? LastError { get; set; }

    /// <summary>
    /// Connected once a poll completed, and also while a poll has stayed open without an error for
    /// <see cref="OpenPollCounts"/>: with no traffic the first poll returns only after
    /// Telegram:PollTimeoutSeconds, and the runbook's check should not wait for it. A poll cut off
    /// at once (another program polling the token: 409) never counts.
    /// </summary>
    public TelegramState State =>
        _status == TelegramState.Initializing && _pollOpenSince is { } opened && time.GetUtcNow() - opened >= OpenPollCounts
            ? TelegramState.Connected
            : _status;

    /// <summary>The last completed poll of the current loop, or when the loop started if none completed since.</summary>
    public DateTimeOffset LastProgress => LastPollAt is { } last && last > _loopStartedAt ? last : _loopStartedAt;

    public void LoopStarted()
    {
        _pollOpenSince = null; // a stalled poll the watchdog replaces proves nothing
        _loopStartedAt = time.GetUtcNow();
    }

    public void Identified(TelegramBotUser identity)
    {
        Identity = identity;
        InitializedAt ??= time.GetUtcNow();
    }

    public void PollOpened() => _pollOpenSince = time.GetUtcNow();

    public void Polled()
    {
        _pollOpenSince = null;
        LastPollAt = time.GetUtcNow();
        _status = TelegramState.Connected;
    }

    /// <summary>The webhook is registered.</summary>
    public void Connected() => _status = TelegramState.Connected;

    /// <summary>A call to Telegram failed: disconnected, and the error kept and counted. Returns the error's text.</summary>
    public string Failed(string call, Exception ex)
    {
        _pollOpenSince = null;
        _status = TelegramState.Disconnected;
        LastError = ex is ApiRequestException api ? $"{call}: {api.ErrorCode} {api.Message}" : $"{call}: {ex.Message}";
        counters.RecordError(LastError);
        return LastError;
    }

    public void Stalled(string error)
    {
        _status = TelegramState.Disconnected;
        LastError = error;
    }

    /// <summary>For the gauges: the state, and the last progress.</summary>
    public void Publish(bool polling) => link.Publish(State, LastProgress, polling);

    public void Clear() => link.Clear();
}
