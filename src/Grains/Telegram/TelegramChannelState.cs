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
