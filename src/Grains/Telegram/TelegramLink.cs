namespace Assistant.Telegram;

/// <summary>
/// The Telegram channel's connection as the silo hosting the channel grain last saw it (published
/// at each of its watchdog checks, at most 10 s apart), for the <c>assistant_telegram_*</c>
/// gauges. Silos that do not host the channel report nothing.
/// </summary>
public sealed class TelegramLink
{
    private readonly object _sync = new();
    private (TelegramState State, DateTimeOffset? LastPollAt, bool Polling)? _seen;

    public void Publish(TelegramState state, DateTimeOffset? lastPollAt, bool polling)
    {
        lock (_sync)
        {
            _seen = (state, lastPollAt, polling);
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

    /// <summary>Null on a silo that does not host the channel.</summary>
    public (TelegramState State, DateTimeOffset? LastPollAt, bool Polling)? Seen
    {
        get
        {
            lock (_sync)
            {
                return _seen;
            }
        }
    }
}
