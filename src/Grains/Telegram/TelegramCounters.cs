using Microsoft.Extensions.DependencyInjection;

namespace Assistant.Telegram;

/// <summary>This silo's outbound Telegram traffic, for <c>/telegram/status</c>.</summary>
public sealed class TelegramCounters([FromKeyedServices(Clock.Key)] TimeProvider time)
{
    private long _sent;
    private long _edited;
    private long _failed;
    private long _tooManyRequests;
    private long _overflowed;
    private long _deadLetters;
    private long _lastWebhookTicks;
    private (string Error, DateTimeOffset At)? _lastError;

    public long Sent => Interlocked.Read(ref _sent);

    public long TooManyRequests => Interlocked.Read(ref _tooManyRequests);

    public long DeadLetters => Interlocked.Read(ref _deadLetters);

    public void CountSent() => Interlocked.Increment(ref _sent);

    public void CountEdited() => Interlocked.Increment(ref _edited);

    public void CountTooManyRequests() => Interlocked.Increment(ref _tooManyRequests);

    /// <summary>A message that arrived while its chat already had <c>Sessions:MaxQueuedMessages</c> waiting.</summary>
    public void CountOverflow() => Interlocked.Increment(ref _overflowed);

    public void CountDeadLetter() => Interlocked.Increment(ref _deadLetters);

    public void CountFailed(string error)
    {
        Interlocked.Increment(ref _failed);
        _lastError = (error, time.GetUtcNow());
    }

    public void RecordError(string error) => _lastError = (error, time.GetUtcNow());

    public void RecordWebhookDelivery() => Interlocked.Exchange(ref _lastWebhookTicks, time.GetUtcNow().UtcTicks);

    public TelegramSiloCounters Snapshot(string silo)
    {
        var webhook = Interlocked.Read(ref _lastWebhookTicks);
        var error = _lastError;
        return new TelegramSiloCounters(
            silo,
            Interlocked.Read(ref _sent),
            Interlocked.Read(ref _edited),
            Interlocked.Read(ref _failed),
            Interlocked.Read(ref _tooManyRequests),
            webhook == 0 ? null : new DateTimeOffset(webhook, TimeSpan.Zero),
            error?.Error,
            error?.At,
            Interlocked.Read(ref _overflowed),
            Interlocked.Read(ref _deadLetters));
    }
}
