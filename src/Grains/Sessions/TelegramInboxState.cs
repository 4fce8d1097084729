namespace Assistant.Sessions;

/// <summary>
/// A chat's accepted Telegram messages not yet fully answered, oldest first. A state of its own,
/// so that accepting a message writes this small list and not the whole conversation.
/// </summary>
[GenerateSerializer, Alias("Assistant.Sessions.TelegramInboxState")]
public sealed class TelegramInboxState
{
    [Id(0)]
    public List<TelegramInboxItem> Items { get; set; } = [];

    public TelegramInboxItem? Find(long updateId) => Items.Find(i => i.Message.UpdateId == updateId);

    public bool Remove(long updateId) => Items.RemoveAll(i => i.Message.UpdateId == updateId) > 0;
}

/// <summary>A Telegram message waiting for its answer, and the messages of the answer sent so far.</summary>
[GenerateSerializer, Alias("Assistant.Sessions.TelegramInboxItem")]
public sealed class TelegramInboxItem
{
    [Id(0)]
    public Assistant.Telegram.TelegramIncoming Message { get; set; } = null!;

    [Id(1)]
    public List<int> ReplyMessageIds { get; set; } = [];

    /// <summary>For messages decided on arrival (<c>/cancel</c>, maintenance, a full queue): the answer to send instead of asking the model.</summary>
    [Id(2)]
    public string? Notice { get; set; }

    [Id(3)]
    public DateTimeOffset AcceptedAt { get; set; }

    /// <summary>How many times answering this message was started and did not finish.</summary>
    [Id(4)]
    public int Attempts { get; set; }

    /// <summary>Why the last attempt failed.</summary>
    [Id(5)]
    public string? LastFailure { get; set; }

    /// <summary>
    /// A shutdown stopped this message while it only waited for its turn (throttling), before any
    /// work on it began: the next activation does not count that as a failed attempt.
    /// </summary>
    [Id(6)]
    public bool WaitedOnly { get; set; }

    /// <summary>The user was told the message is queued (throttling): no activation says it twice.</summary>
    [Id(7)]
    public bool QueuedNoticeSent { get; set; }
}
