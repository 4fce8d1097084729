using Microsoft.Extensions.DependencyInjection;

namespace Assistant.Telegram;

/// <summary>
/// The Telegram channel's connection as the silo hosting the channel grain last saw it (published
/// at each of its watchdog checks, at most 10 s apart), for the <c>assistant_telegram_*</c>
/// gauges. Silos that do not host the channel report nothing, and neither does one whose last
/// publication is older than <see cref="Stale"/> (a silo cut off from the cluster while the
/// channel runs elsewhere must not go on saying "connected").
/// </summary>
public sealed class TelegramLink([FromKeyedServices(Clock.Key)] TimeProvider time)
{
    public static readonly TimeSpan Stale = TimeSpan.FromSeconds(60);

    private readonly object _sync = new();
    private (TelegramState State, DateTimeOffset LastPollAt, bool Polling, DateTimeOffset At)? _seen;

    /// <param name="lastPollAt">The last completed getUpdates, or when the poll loop started if none completed since.</param>
    public void Publish(TelegramState state, DateTimeOffset lastPollAt, bool polling)
    {
        lock (_sync)
        {
            _seen = (state, lastPollAt, polling, time.GetUtcNow());
        }
    }

    /// <summary>The channel left this silo.</summary>
    public void Clear()
    {
        lock (_sync)
        {
            _seen = null;
        }
    }

    /// <summary>Null on a silo that does not host the channel, or whose news of it is stale.</summary>
    public (TelegramState State, DateTimeOffset LastPollAt, bool Polling)? Seen
    {
        get
        {
            lock (_sync)
            {
                return _seen is { } seen && time.GetUtcNow() - seen.At <= Stale ? (seen.State, seen.LastPollAt, seen.Polling) : null;
            }
        }
    }
}
