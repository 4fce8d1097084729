namespace Assistant.Telegram;

/// <summary>The body of <c>GET /telegram/status</c>.</summary>
public sealed record TelegramStatus(
    string State,
    string Mode,
    TelegramBotUser? Bot,
    DateTimeOffset? InitializedAt,
    double? SecondsSinceLastUpdate,
    int? PendingUpdateCount,
    TelegramMessageCounts Messages,
    long TooManyRequests,
    string? LastError,
    long StallRestarts,
    string? ChannelSilo,
    long DeadLetters,
    long Overflowed,
    int ParkedUpdates,
    long Offset,
    IReadOnlyList<TelegramSiloCounters> Silos);

public sealed record TelegramMessageCounts(long Sent, long Edited, long Failed);
