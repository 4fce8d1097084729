namespace Assistant.Telegram;

/// <summary>
/// Decides when a message may go, within Telegram's limits: a global rate, one message a second
/// per chat, twenty a minute per group (spaced evenly: one every three seconds), and whatever a
/// 429's <c>retry_after</c> demands. A message is either allowed now (and counted) or told when
/// to ask again; nothing is booked in the future, so a chat blocked for an hour holds up no other
/// chat. Thread-safe; time is passed in, so it is tested without clocks.
/// </summary>
public sealed class FloodGate(FloodGateOptions options)
{
    private readonly object _sync = new();
    private readonly Dictionary<long, ChatState> _chats = [];
    private DateTimeOffset _globalNext = DateTimeOffset.UnixEpoch;
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    /// <summary>How many silos share the global rate; each silo's gate takes its share.</summary>
    public int Silos { get; set; } = 1;

    /// <summary>
    /// True when a message to this chat may go now (it is counted); otherwise false, with the
    /// moment to ask again in <paramref name="retryAt"/>.
    /// </summary>
    public bool TryAcquire(long chatId, bool group, DateTimeOffset now, out DateTimeOffset retryAt)
    {
        var globalInterval = Interval(Math.Max(1, Silos) / options.GlobalPerSecond);
        var chatInterval = Interval(1 / options.PerChatPerSecond);
        var groupInterval = Interval(60 / options.PerGroupPerMinute);
        lock (_sync)
        {
            Sweep(now);
            var chat = _chats.TryGetValue(chatId, out var existing) ? existing : _chats[chatId] = new ChatState();
            var allowed = Max(Max(chat.BlockedUntil, chat.Next), group ? chat.GroupNext : DateTimeOffset.UnixEpoch);
            allowed = Max(allowed, _globalNext);
            if (allowed > now)
            {
                retryAt = allowed;
                return false;
            }

            chat.Next = now + chatInterval;
            if (group)
            {
                chat.GroupNext = now + groupInterval;
            }

            _globalNext = now + globalInterval;
            retryAt = now;
            return true;
        }
    }

    /// <summary>Telegram answered 429: nothing more goes to this chat until <c>retry_after</c> has passed.</summary>
    public void Penalize(long chatId, TimeSpan retryAfter, DateTimeOffset now)
    {
        lock (_sync)
        {
            var chat = _chats.TryGetValue(chatId, out var existing) ? existing : _chats[chatId] = new ChatState();
            chat.BlockedUntil = Max(chat.BlockedUntil, now + retryAfter);
            chat.RateLimitedAt = now;
        }
    }

    /// <summary>Until when a 429 holds this chat back (the epoch when it does not).</summary>
    public DateTimeOffset BlockedUntil(long chatId)
    {
        lock (_sync)
        {
            return _chats.TryGetValue(chatId, out var chat) ? chat.BlockedUntil : DateTimeOffset.UnixEpoch;
        }
    }

    /// <summary>Whether this chat got a 429 within the cooldown (its streaming should slow down).</summary>
    public bool RecentlyRateLimited(long chatId, DateTimeOffset now)
    {
        lock (_sync)
        {
            return _chats.TryGetValue(chatId, out var chat) && chat.RateLimitedAt is { } at
                && now - at < TimeSpan.FromSeconds(options.RateLimitedCooldownSeconds);
        }
    }

    /// <summary>How many chats the gate holds state for (for tests and the memory bound).</summary>
    public int Tracked
    {
        get
        {
            lock (_sync)
            {
                return _chats.Count;
            }
        }
    }

    /// <summary>
    /// Drops the chats whose every limit has passed (an entry that would decide nothing a fresh one
    /// would not), once a cooldown: the map holds only chats of the last minutes, however many
    /// distinct chats the bot has ever answered.
    /// </summary>
    private void Sweep(DateTimeOffset now)
    {
        var cooldown = TimeSpan.FromSeconds(Math.Max(1, options.RateLimitedCooldownSeconds));
        if (now - _lastSweep < cooldown)
        {
            return;
        }

        _lastSweep = now;
        foreach (var (id, chat) in _chats)
        {
            if (chat.Next <= now && chat.GroupNext <= now && chat.BlockedUntil <= now && (chat.RateLimitedAt is not { } at || now - at >= cooldown))
            {
                _chats.Remove(id);
            }
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Rounded up to the tick, so that N intervals never fit in less than the period they share.</summary>
    private static TimeSpan Interval(double seconds) => TimeSpan.FromTicks((long)Math.Ceiling(seconds * TimeSpan.TicksPerSecond));

    private sealed class ChatState
    {
        public DateTimeOffset Next { get; set; } = DateTimeOffset.UnixEpoch;

        public DateTimeOffset GroupNext { get; set; } = DateTimeOffset.UnixEpoch;

        public DateTimeOffset BlockedUntil { get; set; } = DateTimeOffset.UnixEpoch;

        public DateTimeOffset? RateLimitedAt { get; set; }
    }
}
