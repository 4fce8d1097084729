namespace Assistant.Telegram;

/// <summary>What the channel persists: the next update to ask for, and how often polling had to be restarted.</summary>
[GenerateSerializer, Alias("Assistant.Telegram.TelegramChannelState")]
public sealed class TelegramChannelState
{
    /// <summary>The getUpdates offset: one past the last update handed to its session.</summary>
    [Id(0)]
    public long Offset { get; set; }

    [Id(1)]
    public long StallRestarts { get; set; }
}
