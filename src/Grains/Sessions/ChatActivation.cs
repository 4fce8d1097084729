using Assistant.Storage;
using Assistant.Telegram;

namespace Assistant.Sessions;

/// <summary>
/// One activation of a session: its two stored states (read at activation, <see cref="ReadAsync"/>),
/// its turn queue and what it holds in memory only. The rooms that answer, accept and record (<see cref="TelegramIntake"/>,
/// <see cref="TelegramAnswering"/>, <see cref="ApiReplies"/>, <see cref="SessionLedger"/>) keep no
/// state of their own and act on this. Both states change only through <see cref="DurableState{T}"/>.
/// </summary>
internal sealed class ChatActivation(string id, DurableState<ChatSessionState> session, DurableState<TelegramInboxState> inbox)
{
    public string Id { get; } = id;

    /// <summary>The conversation: its window, settings and statistics.</summary>
    public DurableState<ChatSessionState> Session { get; } = session;

    /// <summary>The Telegram delivery record: messages waiting, the ids answered, and with it the chat's recovery mark (<see cref="InboxPendingMark"/>).</summary>
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

    /// <summary>The summary of pruned turns under way, if any (<see cref="Memory.ConversationSummarizer"/>); stopped at deactivation.</summary>
    public Task? Summarizing { get; set; }

    /// <summary>Cancelled when the activation goes: no summary starts or goes on after it.</summary>
    public CancellationTokenSource SummaryStop { get; } = new();

    /// <summary>Cancels the summary under way only (a reset or an erasure: what it summarises is gone).</summary>
    public CancellationTokenSource? SummaryRun { get; set; }

    /// <summary>Summaries that failed in a row, and the prune count (<see cref="SessionStatistics.ContextPrunes"/>) before which none is tried again.</summary>
    public (int Failures, long NotBeforePrune) SummaryBackoff { get; set; }

    public void StopSummary() => SummaryRun?.Cancel();

    /// <summary>Asks Orleans to collect this activation once the current call ends (it only turned messages away).</summary>
    public Action DeactivateOnIdle { get; set; } = () => { };

    /// <summary>A session that has never exchanged a message: maintenance mode turns these away.</summary>
    public bool IsNew => Conversation.Statistics.CreatedAt == default && Conversation.Messages.Count == 0 && Inbox.Value.Items.Count == 0;

    /// <summary>Messages accepted and not yet answered: an answer leaves the record in the write that records it.</summary>
    public IReadOnlyList<TelegramInboxItem> Waiting => Inbox.Value.Items;

    /// <summary>Only what was stored counts.</summary>
    public bool Knows(long updateId) => Inbox.Value.Knows(updateId);

    public async Task ReadAsync()
    {
        await Session.ReadAsync();
        await Inbox.ReadAsync();
    }

    /// <summary>Telegram turns queued that will be answered (not only given a notice): what the queue limit counts.</summary>
    public int QueuedTelegramCount => Queue.Waiting.Count(t => t.Telegram is not null && Inbox.Value.Find(t.Telegram.UpdateId)?.Notice is null);
}
