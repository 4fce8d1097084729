namespace Assistant.Streaming;

/// <summary>How often a channel pushes a growing reply (Telegram edits). Section <c>Streaming</c>.</summary>
public sealed class StreamingCadenceOptions
{
    public const string Section = "Streaming";

    /// <summary>Shortest time between two pushes in a private chat. Default 1000 ms (Telegram allows about one message a second per chat).</summary>
    public int BaseIntervalMs { get; set; } = 1000;

    /// <summary>Added to the interval for every 1,000 characters of reply, so long replies edit less often. Default 500 ms.</summary>
    public int GrowthMsPerThousandChars { get; set; } = 500;

    /// <summary>Upper bound of the length-based interval, before the factors below. Default 4000 ms.</summary>
    public int MaxIntervalMs { get; set; } = 4000;

    /// <summary>
    /// How long after the work on a reply begins its first part may be shown. Default 1000 ms: a
    /// reply finished sooner goes out as one message, not a preview and an edit (two calls under
    /// Telegram's 30 a second); "typing…" shows meanwhile. 0 shows the first text at once.
    /// </summary>
    public int FirstPushMs { get; set; } = 1000;

    /// <summary>New characters needed before a push is worth it. Default 20.</summary>
    public int MinNewChars { get; set; } = 20;

    /// <summary>Interval multiplier in groups (Telegram allows about 20 messages a minute per group). Default 3.</summary>
    public double GroupFactor { get; set; } = 3;

    /// <summary>Interval multiplier after Telegram answered 429 in this chat. Default 2.</summary>
    public double RateLimitedFactor { get; set; } = 2;

    /// <summary>Interval multiplier while the service throttles under high CPU. Default 2.</summary>
    public double HighCpuFactor { get; set; } = 2;
}
