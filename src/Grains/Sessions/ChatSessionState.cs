namespace Assistant.Sessions;

/// <summary>Everything a session persists: its context window and its statistics.</summary>
[GenerateSerializer, Alias("Assistant.Sessions.ChatSessionState")]
public sealed class ChatSessionState
{
    /// <summary>The context window, oldest first; the system prompt is not in it.</summary>
    [Id(0)]
    public List<ChatEntry> Messages { get; set; } = [];

    [Id(1)]
    public SessionStatistics Statistics { get; set; } = new();

    /// <summary>Telegram messages accepted (the update was confirmed) and not yet fully answered, oldest first.</summary>
    [Id(2)]
    public List<TelegramInboxItem> Inbox { get; set; } = [];

    /// <summary>The last Telegram update ids this session finished, to drop redeliveries.</summary>
    [Id(3)]
    public List<long> RecentUpdateIds { get; set; } = [];

    /// <summary>Users who were told once that they are not allowed.</summary>
    [Id(4)]
    public List<long> RefusedUsers { get; set; } = [];

    public const int RecentUpdateLimit = 256;

    public void RememberUpdate(long updateId)
    {
        RecentUpdateIds.Add(updateId);
        if (RecentUpdateIds.Count > RecentUpdateLimit)
        {
            RecentUpdateIds.RemoveRange(0, RecentUpdateIds.Count - RecentUpdateLimit);
        }
    }

    public bool Knows(long updateId) => RecentUpdateIds.Contains(updateId) || Inbox.Exists(i => i.Message.UpdateId == updateId);
}

/// <summary>A Telegram message waiting for its answer, and the messages of the answer sent so far.</summary>
[GenerateSerializer, Alias("Assistant.Sessions.TelegramInboxItem")]
public sealed class TelegramInboxItem
{
    [Id(0)]
    public Assistant.Telegram.TelegramIncoming Message { get; set; } = null!;

    [Id(1)]
    public List<int> ReplyMessageIds { get; set; } = [];

    /// <summary>For commands decided on arrival (<c>/cancel</c>): the answer to send.</summary>
    [Id(2)]
    public string? Notice { get; set; }

    [Id(3)]
    public DateTimeOffset AcceptedAt { get; set; }
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

    public void RecordResponse(long milliseconds)
    {
        TotalResponseMs += milliseconds;
        RecentResponseMs.Add(milliseconds);
        if (RecentResponseMs.Count > RecentResponseLimit)
        {
            RecentResponseMs.RemoveAt(0);
        }
    }

    public void Count(Dictionary<string, long> counters, string key) => counters[key] = counters.GetValueOrDefault(key) + 1;
}
