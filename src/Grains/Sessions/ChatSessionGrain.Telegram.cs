using Assistant.Models;
using Assistant.Telegram;
using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// Telegram messages: accepted into the inbox (and only then confirmed to the poller), answered
/// in order, each once. An answer is recorded in the conversation together with its update id, in
/// one write, and only then leaves the inbox. A message whose answer keeps failing is given up
/// after <see cref="TelegramOptions.MaxDeliveryAttempts"/>: the user is told and it becomes a dead letter.
/// </summary>
internal sealed partial class ChatSessionGrain
{
    private bool _overflowNotified;
    private bool _unreachable;

    public async Task<DeliveryOutcome> DeliverAsync(TelegramIncoming message)
    {
        Touch();
        _unreachable = false; // The user wrote: whatever blocked the chat is over.
        if (Knows(message.UpdateId))
        {
            LogDuplicate(_logger, SessionId, message.UpdateId);
            if (_inbox.Value.Find(message.UpdateId) is { } stored)
            {
                // Stored by a write that reported failure after it committed: make sure it is answered.
                Enqueue(Turn.ForTelegram(stored.Message, _time.GetTimestamp(), resumed: false));
                await MarkPendingAsync(stored.AcceptedAt);
            }

            return DeliveryOutcome.Duplicate;
        }

        var item = new TelegramInboxItem { Message = message, AcceptedAt = _time.GetUtcNow() };
        var overflow = !IsCancel(message) && QueuedTelegramCount >= _options.MaxQueuedMessages;
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
        else if (_mode.Maintenance && IsNew)
        {
            item.Notice = _mode.Message; // Politely turned away, and remembered so a redelivery is not answered twice.
        }
        else if (IsCancel(message))
        {
            // /cancel acts now, not after the reply it is meant to stop; its notice follows in order.
            item.Notice = CancelCurrent() ? TelegramCommands.Cancelled : TelegramCommands.NothingToCancel;
        }

        // The inbox write is the acceptance: if it fails, nothing here changed and the poller retries.
        if (!await _inbox.UpdateAsync(s => !Knows(message.UpdateId) && Add(s, item)))
        {
            return DeliveryOutcome.Duplicate;
        }

        _overflowNotified |= overflow;
        await MarkPendingAsync(item.AcceptedAt);
        Enqueue(Turn.ForTelegram(message, _time.GetTimestamp(), resumed: false), first: overflow);
        return DeliveryOutcome.Accepted;
    }

    public async Task<int> ResumeAsync()
    {
        Touch();
        ResumeInbox(firstWasInterrupted: false);
        var waiting = _inbox.Value.Items.Count;
        if (waiting == 0)
        {
            // A mark left by a write that failed, or by a message answered elsewhere: it no longer applies.
            try
            {
                await _directory.ClearPendingAsync(SessionId);
                if (_inbox.Value.Items.Count > 0)
                {
                    // A message accepted while the mark was being cleared: mark it again.
                    await _directory.MarkPendingAsync(SessionId, _inbox.Value.Items.Min(i => i.AcceptedAt));
                }
            }
            catch (Exception ex)
            {
                LogDirectoryFailed(_logger, ex, SessionId);
            }
        }

        return _inbox.Value.Items.Count;
    }

    private static bool Add(TelegramInboxState inbox, TelegramInboxItem item)
    {
        inbox.Items.Add(item);
        return true;
    }

    private static bool IsCancel(TelegramIncoming message) =>
        message.Content == TelegramContent.Command && TelegramCommands.Name(message.Text) == TelegramCommands.Cancel;

    private int QueuedTelegramCount => _queue.Count(t => t.Telegram is not null && _inbox.Value.Find(t.Telegram.UpdateId)?.Notice is null);

    /// <summary>Only what was stored counts: the finished ids written with their exchanges, and the inbox.</summary>
    private bool Knows(long updateId) => Conversation.RecentUpdateIds.Contains(updateId) || _inbox.Value.Find(updateId) is not null;

    private void ResumeInbox(bool firstWasInterrupted)
    {
        var first = true;
        foreach (var item in _inbox.Value.Items)
        {
            Enqueue(Turn.ForTelegram(item.Message, _time.GetTimestamp(), resumed: first && firstWasInterrupted && item.Notice is null));
            first = false;
        }
    }

    private async Task MoveLegacyInboxAsync()
    {
        if (Conversation.Inbox.Count == 0)
        {
            return;
        }

        var legacy = Conversation.Inbox;
        await _inbox.UpdateAsync(s =>
        {
            s.Items.AddRange(legacy.Where(i => s.Find(i.Message.UpdateId) is null));
            return true;
        });
        await _session.UpdateAsync(s => s.Inbox.Clear());
    }

    private async Task<bool> RememberOnlyAsync(TelegramIncoming message) =>
        await _session.UpdateAsync(s =>
        {
            if (s.RecentUpdateIds.Contains(message.UpdateId))
            {
                return false;
            }

            s.RememberUpdate(message.UpdateId);
            return true;
        });

    /// <summary>Answers one inbox item; a failed attempt is retried with backoff until the item is given up.</summary>
    private async Task AnswerTelegramAsync(Turn turn)
    {
        var updateId = turn.Telegram!.UpdateId;
        if (turn.Resumed && !await CountAttemptAsync(updateId, "interrupted: the previous activation ended before the answer was recorded", 0))
        {
            return;
        }

        while (_inbox.Value.Find(updateId) is { } item)
        {
            if (Conversation.RecentUpdateIds.Contains(updateId))
            {
                // Answered and recorded; only its removal from the inbox had failed.
                await _inbox.UpdateAsync(s => s.Remove(updateId));
                await TouchDirectoryAsync();
                return;
            }

            try
            {
                await AnswerOnceAsync(turn, item);
                return;
            }
            catch (ChatUnreachableException ex)
            {
                await DropUnreachableAsync(ex);
                return;
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested && ex is not SessionStoppingException)
            {
                turn.Attempts++;
                LogAttemptFailed(_logger, ex, SessionId, updateId, Math.Max(item.Attempts + 1, turn.Attempts));
                if (!await CountAttemptAsync(updateId, $"{ex.GetType().Name}: {ex.Message}", turn.Attempts))
                {
                    return;
                }

                var attempts = Math.Max(_inbox.Value.Find(updateId)?.Attempts ?? 1, turn.Attempts);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempts - 1))), _time, _stopping.Token);
            }
        }
    }

    private async Task AnswerOnceAsync(Turn turn, TelegramInboxItem item)
    {
        var message = item.Message;
        var target = TelegramTarget.For(message);
        if (_unreachable)
        {
            await FinishAsync(message.UpdateId, null);
            return;
        }

        if (item.Notice is { } notice)
        {
            await NoticeAsync(target, notice);
            await FinishAsync(message.UpdateId, null);
            return;
        }

        switch (message.Content)
        {
            case TelegramContent.Text when _telegram.IsAllowed(message.UserId):
                await ExchangeAsync(turn, item);
                return;
            case TelegramContent.Text:
                var refuse = !Conversation.RefusedUsers.Contains(message.UserId);
                if (refuse)
                {
                    await NoticeAsync(target, TelegramCommands.NotAllowed);
                }

                await FinishAsync(message.UpdateId, s =>
                {
                    if (refuse)
                    {
                        s.RefusedUsers.Add(message.UserId);
                    }
                });
                return;
            case TelegramContent.Command:
                await NoticeAsync(target, await RunCommandAsync(message));
                await FinishAsync(message.UpdateId, null);
                return;
            default:
                await NoticeAsync(target, TelegramCommands.Unsupported(message.Content));
                await FinishAsync(message.UpdateId, null);
                return;
        }
    }

    /// <summary>Asks the model (once), delivers the answer (once), then records it with its update id.</summary>
    private async Task ExchangeAsync(Turn turn, TelegramInboxItem item)
    {
        var generation = _generation;
        var updateId = item.Message.UpdateId;
        turn.SentIds ??= [.. item.ReplyMessageIds];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(turn.Cancellation.Token, _stopping.Token);
        var writer = _telegram.CreateWriter(TelegramTarget.For(item.Message), turn.SentIds, ids => SaveReplyIdsAsync(turn, updateId, ids), stop.Token);
        turn.Generated ??= await _exchange.GenerateAsync(SessionId, Conversation.Messages, turn, writer.OnText, _stopping.Token);
        var result = turn.Generated;
        if (!turn.Delivered)
        {
            try
            {
                await writer.FinishAsync(result.Reply);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                throw new SessionStoppingException();
            }
            catch (OperationCanceledException) when (turn.Cancellation.IsCancellationRequested)
            {
                // /cancel or /reset while the answer waited (a long retry_after): it is not sent.
                result = turn.Generated = result with { Failure = ModelFailure.Cancelled };
            }

            turn.Delivered = true;
        }

        var elapsed = Elapsed(turn);
        await FinishAsync(updateId, s =>
        {
            if (generation == _generation)
            {
                _exchange.Record(s, result, elapsed);
            }
        });
        _registry.Publish(SessionSnapshot.Of(SessionId, Conversation));
    }

    /// <summary>Best effort: the ids also live on the turn, so a retry in this activation edits them; only a crash in between loses them.</summary>
    private async Task SaveReplyIdsAsync(Turn turn, long updateId, IReadOnlyList<int> ids)
    {
        turn.SentIds = [.. ids];
        try
        {
            await _inbox.UpdateAsync(s =>
            {
                if (s.Find(updateId) is not { } stored)
                {
                    return false;
                }

                stored.ReplyMessageIds = [.. ids];
                return true;
            });
        }
        catch (Exception ex)
        {
            LogInboxRemovalFailed(_logger, ex, SessionId, updateId);
        }
    }

    /// <summary>Records the answer (and <paramref name="change"/>) with the update id in one write, then lets the item go.</summary>
    private async Task FinishAsync(long updateId, Action<ChatSessionState>? change)
    {
        await _session.UpdateAsync(s =>
        {
            change?.Invoke(s);
            if (!s.RecentUpdateIds.Contains(updateId))
            {
                s.RememberUpdate(updateId);
            }
        });

        try
        {
            await _inbox.UpdateAsync(s => s.Remove(updateId));
        }
        catch (Exception ex)
        {
            // Recorded as answered already: the item is dropped unanswered-again on the next pass.
            LogInboxRemovalFailed(_logger, ex, SessionId, updateId);
        }

        await TouchDirectoryAsync();
    }

    /// <returns>False when the item is gone or was given up (it is then finished).</returns>
    private async Task<bool> CountAttemptAsync(long updateId, string failure, int attemptsHere)
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
            LogDirectoryFailed(_logger, ex, SessionId); // Storage is failing too; the next attempt tries again.
        }

        if (_inbox.Value.Find(updateId) is not { } item)
        {
            return false;
        }

        if (Math.Max(item.Attempts, attemptsHere) < _telegram.MaxDeliveryAttempts)
        {
            return true;
        }

        await GiveUpAsync(item, Math.Max(item.Attempts, attemptsHere));
        return false;
    }

    private async Task GiveUpAsync(TelegramInboxItem item, int attempts)
    {
        var message = item.Message;
        var failure = item.LastFailure ?? ModelFailure.Unknown;

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
                _unreachable = true;
            }
        }

        // Out of the inbox first: the conversation's own state may be what keeps failing.
        await _inbox.UpdateAsync(s => s.Remove(message.UpdateId));
        try
        {
            await _session.UpdateAsync(s => s.RememberUpdate(message.UpdateId));
        }
        catch (Exception ex)
        {
            LogInboxRemovalFailed(_logger, ex, SessionId, message.UpdateId);
        }

        await TouchDirectoryAsync();
    }

    /// <summary>Telegram answered 403: the queue is dropped, and nothing more is sent until the user writes again.</summary>
    private async Task DropUnreachableAsync(ChatUnreachableException ex)
    {
        _unreachable = true;
        var dropped = _inbox.Value.Items.Select(i => i.Message.UpdateId).ToList();
        LogUnreachable(_logger, SessionId, ex.Message, dropped.Count);
        await _session.UpdateAsync(s => dropped.Where(id => !s.RecentUpdateIds.Contains(id)).ToList().ForEach(s.RememberUpdate));
        await _inbox.UpdateAsync(s => s.Items.RemoveAll(i => dropped.Contains(i.Message.UpdateId)) > 0);
        await TouchDirectoryAsync();
    }

    private async Task<string> RunCommandAsync(TelegramIncoming message)
    {
        if (!_telegram.IsAllowed(message.UserId))
        {
            return TelegramCommands.NotAllowed;
        }

        switch (TelegramCommands.Name(message.Text))
        {
            case TelegramCommands.Start:
                return TelegramCommands.Welcome(message.FirstName);
            case TelegramCommands.Help:
                return TelegramCommands.HelpText;
            case TelegramCommands.Reset:
                await ResetConversationAsync(cancelQueued: false);
                return TelegramCommands.ResetDone;
            case TelegramCommands.Status:
                return _telegram.IsAdmin(message.UserId) ? await _health.DescribeAsync() : TelegramCommands.AdminsOnly;
            default:
                return TelegramCommands.UnknownCommand;
        }
    }

    /// <summary>A short fixed text: best effort, except that a 403 means the chat is gone.</summary>
    private async Task NoticeAsync(TelegramTarget target, string text)
    {
        try
        {
            await _telegram.NoticeAsync(target, text, _stopping.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ChatUnreachableException)
        {
            LogNoticeFailed(_logger, ex, SessionId);
        }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: Telegram update {UpdateId} was already received; ignored")]
    private static partial void LogDuplicate(ILogger logger, string sessionId, long updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: a notice could not be sent to Telegram")]
    private static partial void LogNoticeFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: answering Telegram update {UpdateId} failed (attempt {Attempt})")]
    private static partial void LogAttemptFailed(ILogger logger, Exception exception, string sessionId, long updateId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: gave up on Telegram update {UpdateId} after {Attempts} attempts ({Failure}); the user was told and it is a dead letter")]
    private static partial void LogGaveUp(ILogger logger, string sessionId, long updateId, int attempts, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: chat unreachable ({Reason}); dropped {Count} queued messages, nothing more is sent until the user writes again")]
    private static partial void LogUnreachable(ILogger logger, string sessionId, string reason, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: {Queued} messages already waiting; told the user to wait")]
    private static partial void LogOverflow(ILogger logger, string sessionId, int queued);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: update {UpdateId} is answered but could not leave the inbox yet")]
    private static partial void LogInboxRemovalFailed(ILogger logger, Exception exception, string sessionId, long updateId);
}
