namespace Assistant.Sessions;

/// <summary>
/// What an active session last published about itself to its silo's registry: an immutable
/// copy, so reports read it from any thread while the session goes on.
/// </summary>
public sealed record SessionSnapshot(
    string SessionId,
    int Messages,
    long EstimatedBytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastActiveAt,
    long Replies,
    IReadOnlyList<long> RecentResponseMs,
    IReadOnlyDictionary<string, long> ErrorsByType,
    IReadOnlyDictionary<string, long> ToolCalls,
    IReadOnlyDictionary<string, long> MessagesByKind)
{
    /// <summary>Per-session overhead beyond the message texts: activation, state object, statistics.</summary>
    public const long BaseBytes = 4096;

    /// <summary>Per-message overhead beyond its UTF-8 text: the entry object, the byte array's header, the list slot.</summary>
    public const long PerMessageBytes = 96;

    public static SessionSnapshot Of(string sessionId, ChatSessionState state)
    {
        var s = state.Statistics;
        long bytes = BaseBytes;
        foreach (var message in state.Messages.Concat(state.Unsummarized))
        {
            bytes += PerMessageBytes + message.Utf8Length;
        }

        bytes += state.Summary?.Text.Length ?? 0;

        return new SessionSnapshot(
            sessionId,
            state.Messages.Count,
            bytes,
            s.CreatedAt,
            s.LastActiveAt,
            s.Replies,
            [.. s.RecentResponseMs],
            new Dictionary<string, long>(s.ErrorsByType),
            new Dictionary<string, long>(s.ToolCalls),
            new Dictionary<string, long>(s.MessagesByKind));
    }
}
