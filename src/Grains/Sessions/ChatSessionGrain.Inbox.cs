using Assistant.Models;
using Assistant.Telegram;
using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// The Telegram inbox: a message is accepted (and only then confirmed to the poller) by one write
/// of this small state, which carries the chat's recovery mark in the same transaction; redeliveries are recognised from what was stored; a message whose answer
/// keeps failing is given up after <see cref="TelegramOptions.MaxDeliveryAttempts"/>, the user told
/// and a dead letter kept; a chat that blocked the bot has its queue dropped.
/// </summary>
internal sealed partial class ChatSessionGrain
{
    private bool _overflowNotified;

    public async Task<DeliveryOutcome> DeliverAsync(TelegramIncoming message)
    {
        Touch();
        if (!SessionKey.IsTelegram(SessionId, out var chatId) || chatId != message.ChatId)
        {
            throw new ArgumentException($"Session {SessionId} does not take messages of Telegram chat {message.ChatId}; its key is {SessionKey.Telegram(message.ChatId)}.");
        }

        if (Knows(message.UpdateId))
        {
            LogDuplicate(_logger, SessionId, message.UpdateId);
            if (_inbox.Value.Find(message.UpdateId) is { } stored && !Conversation.Answered(message.UpdateId))
            {
                // Stored by a write that reported failure after it committed: make sure it is answered.
                Enqueue(Turn.ForTelegram(stored.Message, _time.GetTimestamp(), resumed: false));
                await MarkPendingAsync(stored.AcceptedAt);
            }

            return DeliveryOutcome.Duplicate;
        }

        if (IsCancel(message) && Waiting.Any(i => IsCancel(i.Message)))
        {
            // A /cancel whose notice is already waiting (a long retry_after, say) takes no room at
            // all: it stops the reply under way again and is not stored, so a storm of them neither
            // grows the inbox nor queues a notice each, nor pushes answered update ids out of the
            // conversation's window (which would make an answered message look unanswered). A
            // redelivery of it only cancels again, which changes nothing.
            CancelCurrent();
            return DeliveryOutcome.Accepted;
        }

        var item = new TelegramInboxItem { Message = message, AcceptedAt = _time.GetUtcNow() };
        var overflow = !IsCancel(message) && QueuedTelegramCount >= _options.MaxQueuedMessages;
        var turnedAway = false;
        if (overflow)
        {
            _telegramCounters.CountOverflow();
            if (_overflowNotified)
            {
                // One notice per burst: the user has been told that these are not answered.
                return await RememberOnlyAsync(message) ? DeliveryOutcome.Accepted : DeliveryOutcome.Duplicate;
            }

            item.Notice = TelegramCommands.Overflow;
            LogOverflow(_logger, SessionId, QueuedTelegramCount);
        }
        else if (_admission.Check(IsNew, !_started, MessageKind.Telegram) is { } refusal)
        {
            item.Notice = refusal.Message; // Politely turned away, and remembered so a redelivery is not answered twice.
            turnedAway = true;
        }
        else if (IsCancel(message))
        {
            // Its notice is decided now; the reply it stops is cancelled once the message is stored.
            item.Notice = _current is { Telegram: not null } current && !current.Cancellation.IsCancellationRequested
                ? TelegramCommands.Cancelled
                : TelegramCommands.NothingToCancel;
        }

        // Admitted now, before the write's await: a refusal finishing meanwhile must not deactivate the session under it.
        var wasStarted = _started;
        _started |= !turnedAway;

        // The inbox write is the acceptance: if it fails, nothing here changed and the poller retries.
        bool added;
        try
        {
            added = await _inbox.UpdateAsync(s => !Knows(message.UpdateId) && Add(s, item));
        }
        catch
        {
            _started = wasStarted;
            throw;
        }

        if (!added)
        {
            _started = wasStarted;
            return DeliveryOutcome.Duplicate;
        }

        _overflowNotified |= overflow;
        if (Commands.ChatCommands.ActsOnDelivery(message))
        {
            // /cancel and /reset act now, not after the reply they are meant to stop (a long
            // retry_after included); their notices follow in order.
            CancelCurrent();
        }

        // The write carried the mark recovery finds this chat by (InboxPendingMark): one transaction.
        _metrics.MessageReceived(MessageKind.Telegram);
        Enqueue(Turn.ForTelegram(message, _time.GetTimestamp(), resumed: false), first: overflow);
        return DeliveryOutcome.Accepted;
    }

    public async Task<int> ResumeAsync()
    {
        Touch();
        ResumeInbox(firstWasInterrupted: false);
        var waiting = Waiting.Count();
        if (waiting == 0)
        {
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
                if (!await _inbox.TryRefreshAsync() || !await _session.TryRefreshAsync())
                {
                    return Waiting.Count();
                }

                ResumeInbox(firstWasInterrupted: false);
                if (Waiting.Any())
                {
                    LogBehindStorage(_logger, SessionId, Waiting.Count());
                    return Waiting.Count();
                }

                await _directory.ClearPendingAsync(SessionId);
                if (Waiting.Any())
                {
                    // A message accepted while the mark was being cleared: mark it again.
                    await _directory.MarkPendingAsync(SessionId, Waiting.Min(i => i.AcceptedAt));
                }
            }
            catch (Exception ex)
            {
                LogDirectoryFailed(_logger, ex, SessionId);
            }
        }

        return Waiting.Count();
    }

    /// <summary>
    /// Messages accepted and not yet recorded as answered. An answered message leaves the stored
    /// inbox with the next acceptance's write rather than with a write of its own: its update id,
    /// written with the exchange, already says it is done.
    /// </summary>
    private IEnumerable<TelegramInboxItem> Waiting => _inbox.Value.Items.Where(i => !Conversation.Answered(i.Message.UpdateId));

    private bool Add(TelegramInboxState inbox, TelegramInboxItem item)
    {
        inbox.Items.RemoveAll(i => Conversation.Answered(i.Message.UpdateId));
        inbox.Items.Add(item);
        return true;
    }

    private static bool IsCancel(TelegramIncoming message) =>
        message.Content == TelegramContent.Command && TelegramCommands.Name(message.Text) == TelegramCommands.Cancel;

    private int QueuedTelegramCount => _queue.Count(t => t.Telegram is not null && _inbox.Value.Find(t.Telegram.UpdateId)?.Notice is null);

    /// <summary>Only what was stored counts: the finished ids written with their exchanges, and the inbox.</summary>
    private bool Knows(long updateId) => Conversation.Answered(updateId) || _inbox.Value.Find(updateId) is not null;

    private void ResumeInbox(bool firstWasInterrupted)
    {
        var first = true;
        foreach (var item in Waiting)
        {
            Enqueue(Turn.ForTelegram(item.Message, _time.GetTimestamp(), resumed: first && firstWasInterrupted && item.Notice is null && !item.WaitedOnly));
            first = false;
        }
    }

    private Task<bool> RememberOnlyAsync(TelegramIncoming message) => _session.UpdateAsync(s => s.RememberUpdate(message.UpdateId));

    /// <summary>Stores one more failed attempt; best effort, since storage may be what fails (the turn counts too).</summary>
    private async Task CountAttemptAsync(long updateId, string failure)
    {
        try
        {
            await _inbox.UpdateAsync(s =>
            {
                if (s.Find(updateId) is not { } stored)
                {
                    return false;
                }

                stored.Attempts++;
                stored.LastFailure = failure;
                return true;
            });
        }
        catch (Exception ex)
        {
            LogAttemptNotStored(_logger, ex, SessionId, updateId);
        }
    }

    /// <summary>The user is told and the message kept as a dead letter; throws while storage fails (the caller tries again).</summary>
    private async Task GiveUpAsync(TelegramInboxItem item, int attempts, string? failureHere)
    {
        var message = item.Message;
        var failure = failureHere ?? item.LastFailure ?? ModelFailure.Unknown;

        // Stored once per update: a give-up repeated after a failed write neither adds a row nor apologises again.
        if (await _deadLetters.AddAsync(SessionId, message, attempts, failure, DeadLetters.Stage.Answer, _time.GetUtcNow()))
        {
            _telegramCounters.CountDeadLetter();
            LogGaveUp(_logger, SessionId, message.UpdateId, attempts, failure);
            try
            {
                await NoticeAsync(TelegramTarget.For(message), TelegramCommands.Undeliverable(message.Text));
            }
            catch (ChatUnreachableException)
            {
                // The user blocked the bot meanwhile: the dead letter is all that is left to do.
            }
        }

        // Out of the inbox first: the conversation's own state may be what keeps failing.
        await _inbox.UpdateAsync(s => s.Remove(message.UpdateId));
        try
        {
            await _session.UpdateAsync(s =>
            {
                s.RememberUpdate(message.UpdateId);
                s.Statistics.Count(s.Statistics.MessagesByKind, MessageKind.Of(message.Content));
                s.Statistics.Count(s.Statistics.ErrorsByType, DeadLetters.ErrorType);
            });
            PublishSnapshot();
        }
        catch (Exception ex)
        {
            LogRememberFailed(_logger, ex, SessionId, message.UpdateId);
        }

        await TouchDirectoryAsync();
    }

    /// <summary>Telegram answered 403: the queue is dropped, and nothing more is sent until the user writes again.</summary>
    private async Task DropUnreachableAsync(ChatUnreachableException ex)
    {
        // Recorded as done, like answered messages: their queued turns end without sending, they
        // leave the stored inbox with the next acceptance, and a message the user sends after this is answered.
        var dropped = Waiting.Select(i => i.Message.UpdateId).ToList();
        LogUnreachable(_logger, SessionId, ex.Message, dropped.Count);
        await _session.UpdateAsync(s =>
        {
            var changed = false;
            foreach (var id in dropped)
            {
                changed |= s.RememberUpdate(id);
            }

            return changed;
        });
        await TouchDirectoryAsync();
    }

    private async Task MarkPendingAsync(DateTimeOffset since)
    {
        try
        {
            await _directory.MarkPendingAsync(SessionId, since);
        }
        catch (Exception ex)
        {
            // Only recovery after a lost silo depends on it; the message itself is already saved.
            LogDirectoryFailed(_logger, ex, SessionId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: {Count} Telegram messages were stored by another activation of this session; answering them here")]
    private static partial void LogBehindStorage(ILogger logger, string sessionId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: Telegram update {UpdateId} was already received; ignored")]
    private static partial void LogDuplicate(ILogger logger, string sessionId, long updateId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: gave up on Telegram update {UpdateId} after {Attempts} attempts ({Failure}); the user was told and it is a dead letter")]
    private static partial void LogGaveUp(ILogger logger, string sessionId, long updateId, int attempts, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: chat unreachable ({Reason}); dropped {Count} queued messages, nothing more is sent until the user writes again")]
    private static partial void LogUnreachable(ILogger logger, string sessionId, string reason, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: update {UpdateId} was given up but could not be recorded as done; a redelivery of it would be answered")]
    private static partial void LogRememberFailed(ILogger logger, Exception exception, string sessionId, long updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the failed attempt at update {UpdateId} could not be stored; it is counted in memory")]
    private static partial void LogAttemptNotStored(ILogger logger, Exception exception, string sessionId, long updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: {Queued} messages already waiting; told the user to wait")]
    private static partial void LogOverflow(ILogger logger, string sessionId, int queued);
}
