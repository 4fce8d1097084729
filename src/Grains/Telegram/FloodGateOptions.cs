namespace Assistant.Telegram;

/// <summary>Outbound limits, from the Bot API's documented limits. Section <c>Telegram:FloodGate</c>.</summary>
public sealed class FloodGateOptions
{
    /// <summary>Messages (sends and edits) per second across all chats, for the whole cluster. Default 30.</summary>
    public double GlobalPerSecond { get; set; } = 30;

    /// <summary>Messages per second into one chat. Default 1.</summary>
    public double PerChatPerSecond { get; set; } = 1;

    /// <summary>Messages per minute into one group. Default 20.</summary>
    public double PerGroupPerMinute { get; set; } = 20;

    /// <summary>For how long after a 429 a chat's streaming slows down (the cadence's rate-limited factor). Default 60 s.</summary>
    public double RateLimitedCooldownSeconds { get; set; } = 60;
}
