using Assistant.Storage;
using Assistant.Telegram;

namespace Assistant.Sessions;

/// <summary>
/// One activation of a session: its two stored states, its turn queue and what it holds in memory
/// only. The rooms that answer, accept and record (<see cref="TelegramIntake"/>,
/// <see cref="TelegramAnswering"/>, <see cref="ApiReplies"/>, <see cref="SessionLedger"/>) keep no
/// state of their own and act on this. Both states change only through <see cref="DurableState{T}"/>.
/// </summary>
internal sealed class ChatActivation(string id, DurableState<ChatSessionState> session, DurableState<TelegramInboxState> inbox)
{
    public string Id { get; } = id;

    /// <summary>The conversation: its window, settings, statistics and the update ids it answered.</summary>
    public DurableState<ChatSessionState> Session { get; } = session;

    /// <summary>The Telegram messages accepted and not yet settled, with the chat's recovery mark (<see cref="InboxPendingMark"/>).</summary>
    public DurableState<TelegramInboxState> Inbox { get; } = inbox;

    public ChatSessionState Conversation => Session.Value;

    public TurnQueue Queue { get; set; } = null!;

    public IdempotentTurns Idempotent { get; } = new();

    /// <summary>Bumped by a reset: a reply that started before a reset must not land in the new conversation.</summary>
    public int Generation { get; set; }

    /// <summary>Whether this activation has taken a message (not turned one away): the session cap counts it from then on.</summary>
    public bool Started { get; set; }

    /// <summary>Set once the activation has left the registry: work that outlives it must not put it back.</summary>
    public bool Retired { get; set; }

    /// <summary>Set once a write found the state written by another activation: this one only winds down.</summary>
    public bool Conflicted { get; set; }

    /// <summary>Whether the user has been told, in this burst, that more messages than the queue holds are not answered.</summary>
    public bool OverflowNotified { get; set; }

    /// <summary>Asks Orleans to collect this activation once the current call ends (it only turned messages away).</summary>
    public Action DeactivateOnIdle { get; set; } = () => { };

    /// <summary>A session that has never exchanged a message: maintenance mode turns these away.</summary>
    public bool IsNew => Conversation.Statistics.CreatedAt == default && Conversation.Messages.Count == 0 && Inbox.Value.Items.Count == 0;

    /// <summary>
    /// Messages accepted and not yet recorded as answered. An answered message leaves the stored
    /// inbox with the next acceptance's write rather than with a write of its own: its update id,
    /// written with the exchange, already says it is done.
    /// </summary>
    public IEnumerable<TelegramInboxItem> Waiting => Inbox.Value.Items.Where(i => !Conversation.Answered(i.Message.UpdateId));

    /// <summary>Only what was stored counts: the finished ids written with their exchanges, and the inbox.</summary>
    public bool Knows(long updateId) => Conversation.Answered(updateId) || Inbox.Value.Find(updateId) is not null;

    /// <summary>Telegram turns queued that will be answered (not only given a notice): what the queue limit counts.</summary>
    public int QueuedTelegramCount => Queue.Waiting.Count(t => t.Telegram is not null && Inbox.Value.Find(t.Telegram.UpdateId)?.Notice is null);
}
