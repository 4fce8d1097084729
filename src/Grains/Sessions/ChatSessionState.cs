namespace Assistant.Sessions;

/// <summary>What a session persists about its conversation: the context window, settings and statistics.</summary>
[GenerateSerializer, Alias("Assistant.Sessions.ChatSessionState")]
public sealed class ChatSessionState
{
    /// <summary>The context window, oldest first; the system prompt is not in it.</summary>
    [Id(0)]
    public List<ChatEntry> Messages { get; set; } = [];

    [Id(1)]
    public SessionStatistics Statistics { get; set; } = new();

    /// <summary>
    /// Where accepted Telegram messages were kept before they got a state of their own
    /// (<see cref="TelegramInboxState"/>); read only by <c>LegacySessionGrain</c>, which moves them.
    /// </summary>
    [Id(2)]
    public List<TelegramInboxItem> Inbox { get; set; } = [];

    /// <summary>
    /// Where builds before the delivery record (<see cref="TelegramInboxState.Answered"/>) kept the
    /// Telegram update ids answered; moved to that record at activation (<see cref="LegacyTakeOver"/>).
    /// </summary>
    [Id(3)]
    public List<long> RecentUpdateIds { get; set; } = [];

    /// <summary>Users who were told once that they are not allowed.</summary>
    [Id(4)]
    public List<long> RefusedUsers { get; set; } = [];

    /// <summary>The keys of conversations from before the key spaces that were merged into this one (<see cref="Adopt"/>).</summary>
    [Id(5)]
    public List<string> AdoptedFrom { get; set; } = [];

    /// <summary>Replies to HTTP messages sent with an Idempotency-Key, written with their exchanges (<see cref="Sessions.KeptReplies"/>).</summary>
    [Id(6)]
    public List<KeptReply> KeptReplies { get; set; } = [];

    /// <summary>The chat's model and persona; null until it chooses (<see cref="Models.ChatCatalog"/>).</summary>
    [Id(7)]
    public ChatSettings? Settings { get; set; }

    /// <summary>What the model made of the turns pruned from the window (<see cref="Memory.ConversationSummarizer"/>); null until the first prune is summarised.</summary>
    [Id(8)]
    public Memory.ConversationSummary? Summary { get; set; }

    /// <summary>Turns pruned from the window and not yet in <see cref="Summary"/>, oldest first; kept until a summary takes them in.</summary>
    [Id(9)]
    public List<ChatEntry> Unsummarized { get; set; } = [];

    /// <summary>
    /// Merges a conversation stored under a key from before the key spaces (see
    /// <c>LegacySessionGrain</c>) into this one, older messages first, within <paramref name="window"/>;
    /// false when <paramref name="legacyKey"/> was merged already. Its answered update ids go to
    /// the delivery record (<see cref="LegacyTakeOver"/>).
    /// </summary>
    public bool Adopt(string legacyKey, ChatSessionState older, ContextWindow window)
    {
        if (AdoptedFrom.Contains(legacyKey))
        {
            return false;
        }

        Messages.InsertRange(0, older.Messages);
        window.Prune(Messages);

        RefusedUsers.AddRange(older.RefusedUsers.Where(u => !RefusedUsers.Contains(u)));
        Statistics.Add(older.Statistics);
        AdoptedFrom.Add(legacyKey);
        return true;
    }

    /// <summary>
    /// Whether the cleanup, which decides from the directory without waking sessions, can have
    /// cleared this context: only one silent for <paramref name="inactivity"/>. Most activations
    /// (a session collected after its idle minutes and woken again) so skip the directory read.
    /// </summary>
    public bool MayHaveBeenCleared(DateTimeOffset now, TimeSpan inactivity) =>
        Messages.Count > 0 && now - Statistics.LastActiveAt >= inactivity;

    /// <summary>
    /// Whether a clear the directory recorded at <paramref name="clearedAt"/> holds for this state
    /// (the directory can lag behind it): silent for <paramref name="inactivity"/> before the clear,
    /// and no Telegram message waiting from before it.
    /// </summary>
    public bool HonoursClear(DateTimeOffset clearedAt, TimeSpan inactivity, IEnumerable<TelegramInboxItem> waiting) =>
        Statistics.LastActiveAt <= clearedAt - inactivity && !waiting.Any(i => i.AcceptedAt < clearedAt);

    /// <summary>Empties the context, as the cleanup decided at <paramref name="at"/>; statistics are kept.</summary>
    public void ClearContext(DateTimeOffset at)
    {
        ForgetContext();
        Statistics.ContextClearedAt = at;
    }

    /// <summary>Forgets everything about the chat (<c>/deletemydata</c>): context, summary, settings, statistics, refusals.</summary>
    public void Erase()
    {
        ForgetContext();
        Settings = null;
        Statistics = new SessionStatistics();
        RefusedUsers.Clear();
        AdoptedFrom.Clear();
        Inbox.Clear();
        RecentUpdateIds.Clear();
    }

    /// <summary>Empties the context and everything made of it: the summary, the turns awaiting one, the kept replies.</summary>
    public void ForgetContext()
    {
        Messages.Clear();
        KeptReplies.Clear(); // their texts are the context's: they go with it
        Summary = null;
        Unsummarized.Clear();
    }

    /// <summary>Drops the oldest entries of <paramref name="list"/> beyond <paramref name="limit"/>.</summary>
    internal static void KeepNewest<T>(List<T> list, int limit)
    {
        if (list.Count > limit)
        {
            list.RemoveRange(0, list.Count - limit);
        }
    }
}

[GenerateSerializer, Alias("Assistant.Sessions.SessionStatistics")]
public sealed class SessionStatistics
{
    public const int RecentResponseLimit = 20;

    [Id(0)]
    public DateTimeOffset CreatedAt { get; set; }

    [Id(1)]
    public DateTimeOffset LastActiveAt { get; set; }

    [Id(2)]
    public long MessagesReceived { get; set; }

    [Id(3)]
    public long Replies { get; set; }

    [Id(4)]
    public long TotalResponseMs { get; set; }

    /// <summary>The last <see cref="RecentResponseLimit"/> response times, oldest first.</summary>
    [Id(5)]
    public List<long> RecentResponseMs { get; set; } = [];

    [Id(6)]
    public Dictionary<string, long> ErrorsByType { get; set; } = [];

    [Id(7)]
    public Dictionary<string, long> ToolCalls { get; set; } = [];

    [Id(8)]
    public long Cancelled { get; set; }

    [Id(9)]
    public long ContextPrunes { get; set; }

    [Id(10)]
    public DateTimeOffset? ContextClearedAt { get; set; }

    /// <summary>Messages answered, by <see cref="MessageKind"/> (text, photo, voice, document, other).</summary>
    [Id(11)]
    public Dictionary<string, long> MessagesByKind { get; set; } = [];

    public void RecordResponse(long milliseconds)
    {
        TotalResponseMs += milliseconds;
        RecentResponseMs.Add(milliseconds);
        ChatSessionState.KeepNewest(RecentResponseMs, RecentResponseLimit);
    }

    public void Count(Dictionary<string, long> counters, string key) => counters[key] = counters.GetValueOrDefault(key) + 1;

    /// <summary>Adds the figures of an older conversation merged into this one.</summary>
    public void Add(SessionStatistics older)
    {
        if (older.CreatedAt != default && (CreatedAt == default || older.CreatedAt < CreatedAt))
        {
            CreatedAt = older.CreatedAt;
        }

        LastActiveAt = older.LastActiveAt > LastActiveAt ? older.LastActiveAt : LastActiveAt;
        MessagesReceived += older.MessagesReceived;
        Replies += older.Replies;
        TotalResponseMs += older.TotalResponseMs;
        RecentResponseMs = [.. older.RecentResponseMs, .. RecentResponseMs];
        ChatSessionState.KeepNewest(RecentResponseMs, RecentResponseLimit);

        LocalSessionRegistry.Sum(ErrorsByType, older.ErrorsByType);
        LocalSessionRegistry.Sum(ToolCalls, older.ToolCalls);
        LocalSessionRegistry.Sum(MessagesByKind, older.MessagesByKind);

        Cancelled += older.Cancelled;
        ContextPrunes += older.ContextPrunes;
    }
}
