using Assistant.Telegram;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Sessions;

/// <summary>
/// Accepting a chat's Telegram messages: a message is accepted (and only then confirmed to the
/// poller) by one write of the chat's delivery record (<see cref="TelegramInboxState"/>), which
/// carries the chat's recovery mark in the same transaction (<see cref="InboxPendingMark"/>);
/// redeliveries are recognised from that record; past the queue limit the user is told once per
/// burst; the recovery sweep resumes a chat from that record alone. Keeps no state of its own.
/// </summary>
internal sealed partial class TelegramIntake(
    SessionAdmission admission,
    TelegramCounters counters,
    SessionLedger ledger,
    IOptions<ChatSessionOptions> options,
    Access.UserAccounts accounts,
    ILogger<TelegramIntake> logger)
{
    public async Task<DeliveryOutcome> DeliverAsync(ChatActivation session, TelegramIncoming message)
    {
        var time = ledger.Time;
        if (session.Knows(message.UpdateId))
        {
            LogDuplicate(logger, session.Id, message.UpdateId);
            if (session.Inbox.Value.Find(message.UpdateId) is { } stored)
            {
                // Waiting still: make sure it is queued (the queue takes an update once).
                session.Queue.Enqueue(Turn.ForTelegram(stored.Message, time.GetTimestamp(), resumed: false));
            }

            return DeliveryOutcome.Duplicate;
        }

        // /cancel and /reset stop the reply under way as they arrive: only when their sender may use
        // the bot (a banned group member's stop the others' replies otherwise); else they wait their
        // turn like any command, and are refused then.
        var stops = Commands.ChatCommands.ActsOnDelivery(message) && (await accounts.AdmitAsync(message, counts: false)).Allowed;
        if (stops && IsCancel(message) && session.Waiting.Any(i => IsCancel(i.Message)))
        {
            // A /cancel whose notice is already waiting (a long retry_after, say) takes no room at
            // all: it stops the reply under way again and is not stored, so a storm of them neither
            // grows the record nor queues a notice each, nor pushes answered update ids out of its
            // window (which would make an answered message look unanswered). A
            // redelivery of it only cancels again, which changes nothing.
            session.Queue.CancelCurrent();
            return DeliveryOutcome.Accepted;
        }

        var item = new TelegramInboxItem { Message = message, AcceptedAt = time.GetUtcNow() };
        var overflow = !(stops && IsCancel(message)) && session.QueuedTelegramCount >= options.Value.MaxQueuedMessages;
        var turnedAway = false;
        if (overflow)
        {
            counters.CountOverflow();
            if (session.OverflowNotified)
            {
                // One notice per burst: the user has been told that these are not answered.
                return await session.Inbox.UpdateAsync(s => s.Settle(message.UpdateId)) ? DeliveryOutcome.Accepted : DeliveryOutcome.Duplicate;
            }

            item.Notice = TelegramCommands.Overflow;
            LogOverflow(logger, session.Id, session.QueuedTelegramCount);
        }
        else if (admission.Check(session.IsNew, !session.Started, MessageKind.Telegram) is { } refusal)
        {
            item.Notice = refusal.Message; // Politely turned away, and remembered so a redelivery is not answered twice.
            turnedAway = true;
        }
        else if (stops && IsCancel(message))
        {
            // Its notice is decided now; the reply it stops is cancelled once the message is stored.
            item.Notice = session.Queue.Current is { Telegram: not null } current && !current.Cancellation.IsCancellationRequested
                ? TelegramCommands.Cancelled
                : TelegramCommands.NothingToCancel;
        }

        // Admitted now, before the write's await: a refusal finishing meanwhile must not deactivate the session under it.
        var wasStarted = session.Started;
        session.Started |= !turnedAway;

        // The record's write is the acceptance: if it fails, nothing here changed and the poller retries.
        bool added;
        try
        {
            added = await session.Inbox.UpdateAsync(s => Add(s, item));
        }
        catch
        {
            session.Started = wasStarted;
            throw;
        }

        if (!added)
        {
            session.Started = wasStarted;
            return DeliveryOutcome.Duplicate;
        }

        session.OverflowNotified |= overflow;
        if (stops)
        {
            // /cancel and /reset act now, not after the reply they are meant to stop (a long
            // retry_after included); their notices follow in order.
            session.Queue.CancelCurrent();
        }

        // The write carried the mark recovery finds this chat by (InboxPendingMark): one transaction.
        ledger.Metrics.MessageReceived(MessageKind.Telegram);
        session.Queue.Enqueue(Turn.ForTelegram(message, time.GetTimestamp(), resumed: false), first: overflow);
        return DeliveryOutcome.Accepted;
    }

    /// <summary>Queues what waits in the stored inbox; the first may have been cut off by the end of the previous activation.</summary>
    public void Resume(ChatActivation session, bool firstWasInterrupted)
    {
        var first = true;
        foreach (var item in session.Waiting)
        {
            session.Queue.Enqueue(Turn.ForTelegram(item.Message, ledger.Time.GetTimestamp(), resumed: first && firstWasInterrupted && item.Notice is null && !item.WaitedOnly));
            first = false;
        }
    }

    /// <summary>
    /// The recovery sweep's call: answers what waits. A mark with nothing waiting (left by a build
    /// that wrote it apart from the record) is settled by writing the record again, which writes
    /// the mark it implies. That write is versioned: an activation behind what another stored
    /// conflicts and deactivates instead of clearing the mark of a message it never saw. While a
    /// write of the record is under way nothing is written: that write settles the mark.
    /// </summary>
    public async Task<int> ResumeAsync(ChatActivation session)
    {
        Resume(session, firstWasInterrupted: false);
        if (session.Waiting.Count == 0 && !session.Conflicted)
        {
            try
            {
                await session.Inbox.TryUpdateAsync(_ => true);
            }
            catch (Exception ex) when (ex is not Orleans.Storage.InconsistentStateException)
            {
                // A conflict goes back to the sweep as a session that did not answer: this
                // activation winds down, and the next sweep asks the next one.
                ledger.DirectoryFailed(session, ex);
            }
        }

        return session.Waiting.Count;
    }

    private static bool Add(TelegramInboxState inbox, TelegramInboxItem item)
    {
        if (inbox.Knows(item.Message.UpdateId))
        {
            return false;
        }

        inbox.Items.Add(item);
        return true;
    }

    private static bool IsCancel(TelegramIncoming message) =>
        message.Content == TelegramContent.Command && TelegramCommands.Name(message.Text) == TelegramCommands.Cancel;

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: Telegram update {UpdateId} was already received; ignored")]
    private static partial void LogDuplicate(ILogger logger, string sessionId, long updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: {Queued} messages already waiting; told the user to wait")]
    private static partial void LogOverflow(ILogger logger, string sessionId, int queued);
}
