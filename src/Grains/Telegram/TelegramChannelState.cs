namespace Assistant.Telegram;

/// <summary>What the channel persists: the next update to ask for, updates waiting to be handed over again, and how often polling had to be restarted.</summary>
[GenerateSerializer, Alias("Assistant.Telegram.TelegramChannelState")]
public sealed class TelegramChannelState
{
    /// <summary>The getUpdates offset: one past the last update fetched and either handed to its session or parked here.</summary>
    [Id(0)]
    public long Offset { get; set; }

    [Id(1)]
    public long StallRestarts { get; set; }

    /// <summary>Updates whose session could not take them yet, oldest first; later updates of the same chat wait behind them.</summary>
    [Id(2)]
    public List<ParkedUpdate> Parked { get; set; } = [];

    /// <summary>Parks an update, once; false when it is parked already.</summary>
    public bool Park(TelegramIncoming message, string error, DateTimeOffset now)
    {
        if (Parked.Exists(p => p.Message.UpdateId == message.UpdateId))
        {
            return false;
        }

        Parked.Add(new ParkedUpdate { Message = message, Attempts = 1, LastError = error, NextAttemptAt = now + Backoff.Jittered(1) });
        return true;
    }

    /// <summary>Adds what a batch could not hand over, each update once (two loops may have parked the same).</summary>
    public void ParkAll(IEnumerable<ParkedUpdate> parked) =>
        Parked.AddRange(parked.Where(p => !Parked.Exists(q => q.Message.UpdateId == p.Message.UpdateId)));

    /// <summary>After a retry of <paramref name="tried"/>: what is left of them first, then what was parked meanwhile (webhook deliveries).</summary>
    public void Retried(IEnumerable<ParkedUpdate> tried, IEnumerable<ParkedUpdate> remaining)
    {
        var ids = tried.Select(p => p.Message.UpdateId).ToHashSet();
        Parked = [.. remaining, .. Parked.Where(p => !ids.Contains(p.Message.UpdateId))];
    }

    /// <summary>Whether the first parked update of some chat is due to be tried again (only these decide: later ones wait behind them).</summary>
    public bool AnyDue(DateTimeOffset now) => Heads().Any(p => p.NextAttemptAt <= now);

    /// <summary>With updates parked, a poll returns in time for the next of them to be tried.</summary>
    public int PollTimeout(DateTimeOffset now, int longestSeconds)
    {
        if (Parked.Count == 0)
        {
            return longestSeconds;
        }

        var due = Heads().Min(p => p.NextAttemptAt) - now;
        return (int)Math.Clamp(Math.Ceiling(due.TotalSeconds), 0, longestSeconds);
    }

    private IEnumerable<ParkedUpdate> Heads() => Parked.GroupBy(p => p.Message.ChatId).Select(g => g.First());
}

/// <summary>An update confirmed to Telegram but not yet stored by its session.</summary>
[GenerateSerializer, Alias("Assistant.Telegram.ParkedUpdate")]
public sealed class ParkedUpdate
{
    [Id(0)]
    public TelegramIncoming Message { get; set; } = null!;

    [Id(1)]
    public int Attempts { get; set; }

    [Id(2)]
    public DateTimeOffset NextAttemptAt { get; set; }

    [Id(3)]
    public string? LastError { get; set; }
}
