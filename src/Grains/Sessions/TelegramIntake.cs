using Assistant.Telegram;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Sessions;

/// <summary>
/// Accepting a chat's Telegram messages: a message is accepted (and only then confirmed to the
/// poller) by one write of the small inbox state, which carries the chat's recovery mark in the same
/// transaction (<see cref="InboxPendingMark"/>); redeliveries are recognised from what was stored;
/// past the queue limit the user is told once per burst; the recovery sweep resumes a chat from the
/// stored inbox alone. Keeps no state of its own.
/// </summary>
internal sealed partial class TelegramIntake(
    SessionAdmission admission,
    TelegramCounters counters,
    SessionLedger ledger,
    IOptions<ChatSessionOptions> options,
    ILogger<TelegramIntake> logger)
{
    public async Task<DeliveryOutcome> DeliverAsync(ChatActivation session, TelegramIncoming message)
    {
        var time = ledger.Time;
        if (session.Knows(message.UpdateId))
        {
            LogDuplicate(logger, session.Id, message.UpdateId);
            if (session.Inbox.Value.Find(message.UpdateId) is { } stored && !session.Conversation.Answered(message.UpdateId))
            {
                // Stored by a write that reported failure after it committed: make sure it is answered.
                session.Queue.Enqueue(Turn.ForTelegram(stored.Message, time.GetTimestamp(), resumed: false));
                await ledger.MarkPendingAsync(session, stored.AcceptedAt);
            }

            return DeliveryOutcome.Duplicate;
        }

        if (IsCancel(message) && session.Waiting.Any(i => IsCancel(i.Message)))
        {
            // A /cancel whose notice is already waiting (a long retry_after, say) takes no room at
            // all: it stops the reply under way again and is not stored, so a storm of them neither
            // grows the inbox nor queues a notice each, nor pushes answered update ids out of the
            // conversation's window (which would make an answered message look unanswered). A
            // redelivery of it only cancels again, which changes nothing.
            session.Queue.CancelCurrent();
            return DeliveryOutcome.Accepted;
        }

        var item = new TelegramInboxItem { Message = message, AcceptedAt = time.GetUtcNow() };
        var overflow = !IsCancel(message) && session.QueuedTelegramCount >= options.Value.MaxQueuedMessages;
        var turnedAway = false;
        if (overflow)
        {
            counters.CountOverflow();
            if (session.OverflowNotified)
            {
                // One notice per burst: the user has been told that these are not answered.
                return await session.Session.UpdateAsync(s => s.RememberUpdate(message.UpdateId)) ? DeliveryOutcome.Accepted : DeliveryOutcome.Duplicate;
            }

            item.Notice = TelegramCommands.Overflow;
            LogOverflow(logger, session.Id, session.QueuedTelegramCount);
        }
        else if (admission.Check(session.IsNew, !session.Started, MessageKind.Telegram) is { } refusal)
        {
            item.Notice = refusal.Message; // Politely turned away, and remembered so a redelivery is not answered twice.
            turnedAway = true;
        }
        else if (IsCancel(message))
        {
            // Its notice is decided now; the reply it stops is cancelled once the message is stored.
            item.Notice = session.Queue.Current is { Telegram: not null } current && !current.Cancellation.IsCancellationRequested
                ? TelegramCommands.Cancelled
                : TelegramCommands.NothingToCancel;
        }

        // Admitted now, before the write's await: a refusal finishing meanwhile must not deactivate the session under it.
        var wasStarted = session.Started;
        session.Started |= !turnedAway;

        // The inbox write is the acceptance: if it fails, nothing here changed and the poller retries.
        bool added;
        try
        {
            added = await session.Inbox.UpdateAsync(s => !session.Knows(message.UpdateId) && Add(session, s, item));
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
        if (Commands.ChatCommands.ActsOnDelivery(message))
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

    /// <summary>The recovery sweep's call: answers what waits, or clears a mark that no longer applies.</summary>
    public async Task<int> ResumeAsync(ChatActivation session)
    {
        Resume(session, firstWasInterrupted: false);
        if (session.Waiting.Any())
        {
            return session.Waiting.Count();
        }

        // A mark left by a write that failed, or by a message answered elsewhere: it no longer
        // applies, unless this activation is behind what is stored. While a silo is being lost
        // another activation of this session may have accepted a message after this one read
        // its state; clearing the mark then would leave that message unanswered. So the
        // stored states are read again first (the inbox before the conversation: a message
        // answered in between then reads as answered, not as waiting). While a write of this
        // activation is under way the mark is left as it is: that write settles it. Should the
        // other activation still be alive, both may answer the message it stored: for that
        // moment of a silo's loss a duplicate is preferred to a loss.
        try
        {
            if (!await session.Inbox.TryRefreshAsync() || !await session.Session.TryRefreshAsync())
            {
                return session.Waiting.Count();
            }

            Resume(session, firstWasInterrupted: false);
            if (session.Waiting.Any())
            {
                LogBehindStorage(logger, session.Id, session.Waiting.Count());
                return session.Waiting.Count();
            }

            await ledger.Directory.ClearPendingAsync(session.Id);
            if (session.Waiting.Any())
            {
                // A message accepted while the mark was being cleared: mark it again.
                await ledger.Directory.MarkPendingAsync(session.Id, session.Waiting.Min(i => i.AcceptedAt));
            }
        }
        catch (Exception ex)
        {
            ledger.DirectoryFailed(session, ex);
        }

        return session.Waiting.Count();
    }

    private static bool Add(ChatActivation session, TelegramInboxState inbox, TelegramInboxItem item)
    {
        inbox.Items.RemoveAll(i => session.Conversation.Answered(i.Message.UpdateId));
        inbox.Items.Add(item);
        return true;
    }

    private static bool IsCancel(TelegramIncoming message) =>
        message.Content == TelegramContent.Command && TelegramCommands.Name(message.Text) == TelegramCommands.Cancel;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: {Count} Telegram messages were stored by another activation of this session; answering them here")]
    private static partial void LogBehindStorage(ILogger logger, string sessionId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: Telegram update {UpdateId} was already received; ignored")]
    private static partial void LogDuplicate(ILogger logger, string sessionId, long updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: {Queued} messages already waiting; told the user to wait")]
    private static partial void LogOverflow(ILogger logger, string sessionId, int queued);
}
