namespace Assistant.Sessions;

/// <summary>
/// A chat's Telegram delivery record: the messages accepted and not yet answered, oldest first,
/// and the update ids of the last ones answered (or turned away), to know a redelivery. The one
/// place a message's delivery is recorded: accepting it, settling it (<see cref="Settle"/>, written
/// with the exchange that answered it in one transaction) and the mark the recovery sweep finds the
/// chat by (<see cref="InboxPendingMark"/>, written with every write of this record) all change it
/// together. A state of its own, so that accepting a message writes this small record and not the
/// whole conversation.
/// </summary>
[GenerateSerializer, Alias("Assistant.Sessions.TelegramInboxState")]
public sealed class TelegramInboxState
{
    public const int AnsweredLimit = 256;

    /// <summary>Accepted and not yet answered, oldest first.</summary>
    [Id(0)]
    public List<TelegramInboxItem> Items { get; set; } = [];

    /// <summary>The last <see cref="AnsweredLimit"/> update ids settled, oldest first.</summary>
    [Id(1)]
    public List<long> Answered { get; set; } = [];

    public TelegramInboxItem? Find(long updateId) => Items.Find(i => i.Message.UpdateId == updateId);

    public bool IsAnswered(long updateId) => Answered.Contains(updateId);

    /// <summary>Whether this update was accepted here, waiting or settled.</summary>
    public bool Knows(long updateId) => IsAnswered(updateId) || Find(updateId) is not null;

    /// <summary>
    /// The update is done (answered, turned away, given up or dropped): it leaves the waiting items
    /// and is remembered as answered. False when it already was.
    /// </summary>
    public bool Settle(long updateId)
    {
        Items.RemoveAll(i => i.Message.UpdateId == updateId);
        if (IsAnswered(updateId))
        {
            return false;
        }

        Answered.Add(updateId);
        ChatSessionState.KeepNewest(Answered, AnsweredLimit);
        return true;
    }

    /// <summary>Settles <paramref name="updateIds"/>, answered before any this record holds (an older store's); false when nothing changed.</summary>
    public bool SettleEarlier(IReadOnlyCollection<long> updateIds)
    {
        var removed = Items.RemoveAll(i => updateIds.Contains(i.Message.UpdateId));
        var added = updateIds.Where(id => !IsAnswered(id)).ToList();
        Answered = [.. added, .. Answered];
        ChatSessionState.KeepNewest(Answered, AnsweredLimit);
        return removed > 0 || added.Count > 0;
    }
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
