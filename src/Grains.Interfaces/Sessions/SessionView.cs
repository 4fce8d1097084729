namespace Assistant.Sessions;

/// <summary>What <c>GET /sessions/{id}</c> shows.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Sessions.SessionView")]
public sealed record class SessionView(
    [property: Id(0)] string SessionId,
    [property: Id(1)] int MessageCount,
    [property: Id(2)] int ContextTokens,
    [property: Id(3)] IReadOnlyList<MessageView> Messages,
    [property: Id(4)] SessionStatisticsView Statistics,
    [property: Id(5)] bool Replying,
    [property: Id(6)] int Queued,
    [property: Id(7)] int TelegramPending,
    [property: Id(8)] string? Summary = null);

[GenerateSerializer, Immutable, Alias("Assistant.Sessions.MessageView")]
public sealed record class MessageView(
    [property: Id(0)] string Role,
    [property: Id(1)] string Text,
    [property: Id(2)] DateTimeOffset Time);

[GenerateSerializer, Immutable, Alias("Assistant.Sessions.SessionStatisticsView")]
public sealed record class SessionStatisticsView(
    [property: Id(0)] DateTimeOffset CreatedAt,
    [property: Id(1)] DateTimeOffset LastActiveAt,
    [property: Id(2)] long MessagesReceived,
    [property: Id(3)] long Replies,
    [property: Id(4)] double AverageResponseMs,
    [property: Id(5)] IReadOnlyList<long> RecentResponseMs,
    [property: Id(6)] IReadOnlyDictionary<string, long> ErrorsByType,
    [property: Id(7)] IReadOnlyDictionary<string, long> ToolCalls,
    [property: Id(8)] long Cancelled,
    [property: Id(9)] long ContextPrunes,
    [property: Id(10)] DateTimeOffset? ContextClearedAt,
    [property: Id(11)] IReadOnlyDictionary<string, long>? MessagesByKind = null);
