using Assistant.Models;
using Assistant.Telegram;
using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// Answering a Telegram message, in order and once: commands, notices and exchanges with the
/// model. An answer is recorded in the conversation together with its update id in one write, and
/// only then leaves the inbox; a failed attempt is retried with backoff.
/// </summary>
internal sealed partial class ChatSessionGrain
{
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: a notice could not be sent to Telegram")]
    private static partial void LogNoticeFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: answering Telegram update {UpdateId} failed (attempt {Attempt})")]
    private static partial void LogAttemptFailed(ILogger logger, Exception exception, string sessionId, long updateId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: update {UpdateId} is answered but could not leave the inbox yet")]
    private static partial void LogInboxRemovalFailed(ILogger logger, Exception exception, string sessionId, long updateId);
}
