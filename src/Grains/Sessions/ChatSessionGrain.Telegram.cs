using Assistant.Models;
using Assistant.Telegram;
using Assistant.Telegram.Media;
using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// Answering a Telegram message, in order and once: commands, notices and exchanges with the
/// model. An answer is recorded in the conversation together with its update id in one write, and
/// only then leaves the inbox; a failed attempt is retried with backoff.
/// </summary>
internal sealed partial class ChatSessionGrain
{
    /// <summary>
    /// Answers one inbox item. A failed attempt is retried with backoff, the same turn (what was
    /// generated and delivered is kept), until it succeeds or is given up; only a shutdown ends it
    /// early, leaving the item for the next activation.
    /// </summary>
    private async Task AnswerTelegramAsync(Turn turn)
    {
        var updateId = turn.Telegram!.UpdateId;
        if (turn.Resumed)
        {
            turn.Attempts = (_inbox.Value.Find(updateId)?.Attempts ?? 0) + 1;
            await CountAttemptAsync(updateId, "interrupted: the previous activation ended before the answer was recorded");
        }

        string? failure = null;
        while (_inbox.Value.Find(updateId) is { } item)
        {
            try
            {
                var attempts = Math.Max(item.Attempts, turn.Attempts);
                if (Conversation.Answered(updateId))
                {
                    // Answered and recorded already (by the previous activation, or before a failed write).
                }
                else if (attempts >= _telegram.MaxDeliveryAttempts)
                {
                    await GiveUpAsync(item, attempts, failure);
                    _metrics.MessageGivenUp(MessageKind.Telegram, MessageKind.Of(item.Message.Content));
                }
                else
                {
                    await AnswerOnceAsync(turn, item);
                }

                return;
            }
            catch (ChatUnreachableException ex)
            {
                await DropUnreachableAsync(ex);
                return;
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested && ex is not SessionStoppingException)
            {
                turn.Attempts = Math.Max(item.Attempts, turn.Attempts) + 1;
                failure = $"{ex.GetType().Name}: {ex.Message}";
                LogAttemptFailed(_logger, ex, SessionId, updateId, turn.Attempts);
                await CountAttemptAsync(updateId, failure);
                await Task.Delay(Backoff.Jittered(turn.Attempts), _time, _stopping.Token);
            }
        }
    }

    private async Task AnswerOnceAsync(Turn turn, TelegramInboxItem item)
    {
        var message = item.Message;
        var asks = item.Notice is null && (message.Content == TelegramContent.Text || MediaReader.Reads(message));
        if (asks && _telegram.IsAllowed(message.UserId))
        {
            await ExchangeAsync(turn, item);
            return;
        }

        if (item.Notice is null && message.Content != TelegramContent.Command && !_telegram.IsAllowed(message.UserId))
        {
            var refuse = !Conversation.RefusedUsers.Contains(message.UserId);
            await NoticeOnceAsync(turn, message, refuse ? TelegramCommands.NotAllowed : null);
            await FinishAsync(turn, null, s =>
            {
                if (refuse && !s.RefusedUsers.Contains(message.UserId))
                {
                    s.RefusedUsers.Add(message.UserId);
                }
            });
            return;
        }

        // A command runs once (a /reset is not repeated by a retry), and its answer is sent once.
        turn.Notice ??= item.Notice
            ?? (message.Content == TelegramContent.Command ? await RunCommandAsync(message) : TelegramCommands.Unsupported(message.Content));
        await NoticeOnceAsync(turn, message, turn.Notice);
        await FinishAsync(turn, null, null);
        if (!_started && _queue.Count == 0)
        {
            DeactivateOnIdle(); // it only turned messages away: it holds no place under the session cap
        }
    }

    private async Task NoticeOnceAsync(Turn turn, TelegramIncoming message, string? text)
    {
        if (text is not null && !turn.Delivered)
        {
            await NoticeAsync(TelegramTarget.For(message), text);
        }

        turn.Delivered = true;
    }

    /// <summary>
    /// Reads the message's photo, voice or file (once), asks the model (once), delivers the answer
    /// (once), then records it with its update id. "typing…" shows from the start of the download
    /// until the first text.
    /// </summary>
    private async Task ExchangeAsync(Turn turn, TelegramInboxItem item)
    {
        var generation = turn.Generation ??= _generation;
        var message = item.Message;
        turn.SentIds ??= [.. item.ReplyMessageIds];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(turn.Cancellation.Token, _stopping.Token);
        var writer = _telegram.CreateWriter(TelegramTarget.For(message), turn.SentIds, ids => SaveReplyIdsAsync(turn, message.UpdateId, ids), stop.Token);
        if (turn.Generated is null && turn.Notice is null)
        {
            IDisposable admitted;
            using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
            {
                turn.AdmissionWait = waiting;
                try
                {
                    // While the service throttles under high CPU, this silo's turns go a few at a time, in order.
                    admitted = await _telegram.AdmitAsync(() => QueuedNoticeAsync(turn, message), waiting);
                }
                catch (OperationCanceledException) when (turn.Cancellation.IsCancellationRequested && !_stopping.IsCancellationRequested)
                {
                    await FinishCancelledAsync(turn); // /cancel or /reset while it waited
                    return;
                }
                catch (OperationCanceledException) when (_stopRequested)
                {
                    // A shutdown while it only waited: nothing was done, so the next activation starts it afresh, not as a failed attempt.
                    await UpdateItemAsync(message.UpdateId, i => i.WaitedOnly = true);
                    throw new SessionStoppingException();
                }
                finally
                {
                    turn.AdmissionWait = null;
                }
            }

            if (_inbox.Value.Find(message.UpdateId) is { WaitedOnly: true })
            {
                await UpdateItemAsync(message.UpdateId, i => i.WaitedOnly = false); // from here on a failure counts again
            }

            using (admitted)
            {
                // A file to fetch (and transcribe) is slow: "typing…" at once; a text reply gets a grace.
                writer.StartTyping(MediaReader.Reads(message) ? TimeSpan.Zero : TelegramReplyWriter.TypingGrace);
                try
                {
                    if (!await PrepareMediaAsync(turn, message, stop.Token))
                    {
                        await FinishCancelledAsync(turn); // /cancel or /reset while the file was fetched or transcribed
                        return;
                    }

                    if (turn.Notice is null)
                    {
                        turn.Generated = await GenerateAsync(turn, text => writer.OnText(Prefaced(turn, text)));
                    }
                }
                finally
                {
                    writer.StopTyping();
                }
            }
        }

        if (turn.Notice is not null)
        {
            await RefuseAsync(turn, message, stop.Token);
            return;
        }

        var result = turn.Generated!;
        if (!turn.Delivered)
        {
            try
            {
                await writer.FinishAsync(Prefaced(turn, result.Reply, result.Failure));
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
        await FinishAsync(turn, result.Failure, s =>
        {
            if (generation == _generation)
            {
                _exchange.Record(s, result, elapsed);
            }
        });
    }

    /// <summary>Cancelled before anything was asked: nothing is sent, and the message is done.</summary>
    private async Task FinishCancelledAsync(Turn turn)
    {
        turn.Delivered = true;
        await FinishAsync(turn, null, s => s.Statistics.Cancelled++);
    }

    /// <summary>The "busy, your message is queued" note, once per message (remembered in the inbox, best effort).</summary>
    private async Task QueuedNoticeAsync(Turn turn, TelegramIncoming message)
    {
        if (!turn.QueuedNoticeSent && _inbox.Value.Find(message.UpdateId) is not { QueuedNoticeSent: true })
        {
            turn.QueuedNoticeSent = true;
            await NoticeAsync(TelegramTarget.For(message), TelegramCommands.Queued);
            await UpdateItemAsync(message.UpdateId, i => i.QueuedNoticeSent = true);
        }
    }

    /// <summary>Changes the stored inbox item of <paramref name="updateId"/>; best effort (the turn goes on either way).</summary>
    private Task UpdateItemAsync(long updateId, Action<TelegramInboxItem> change) =>
        UpdateItemAsync(updateId, change, ex => LogItemNotUpdated(_logger, ex, SessionId, updateId));

    private async Task UpdateItemAsync(long updateId, Action<TelegramInboxItem> change, Action<Exception> failed)
    {
        try
        {
            await _inbox.UpdateAsync(s =>
            {
                if (s.Find(updateId) is not { } stored)
                {
                    return false;
                }

                change(stored);
                return true;
            });
        }
        catch (Exception ex)
        {
            failed(ex);
        }
    }

    /// <summary>Best effort: the ids also live on the turn, so a retry in this activation edits them; only a crash in between loses them.</summary>
    private async Task SaveReplyIdsAsync(Turn turn, long updateId, IReadOnlyList<int> ids)
    {
        turn.SentIds = [.. ids];
        await UpdateItemAsync(updateId, i => i.ReplyMessageIds = [.. ids], ex => LogReplyIdsNotStored(_logger, ex, SessionId, updateId));
    }

    /// <summary>
    /// Records the answer (and <paramref name="change"/>) with the update id in one write: from then
    /// on the message is done, and it leaves the stored inbox with the next acceptance. Counted by
    /// kind, with its time from acceptance and <paramref name="error"/> (the model's failure, or a download or transcription that failed).
    /// </summary>
    private async Task FinishAsync(Turn turn, string? error, Action<ChatSessionState>? change)
    {
        var message = turn.Telegram!;
        var kind = MessageKind.Of(message.Content);
        await _session.UpdateAsync(s =>
        {
            change?.Invoke(s);
            s.Statistics.Count(s.Statistics.MessagesByKind, kind);
            s.RememberUpdate(message.UpdateId);
        });

        Answered(MessageKind.Telegram, kind, Elapsed(turn), error);
        PublishSnapshot();
        await TouchDirectoryAsync();
    }

    private async Task<string> RunCommandAsync(TelegramIncoming message)
    {
        if (!_telegram.IsAllowed(message.UserId))
        {
            return TelegramCommands.NotAllowed;
        }

        if (Commands.ChatCommands.Find(TelegramCommands.Name(message.Text)) is not { } command)
        {
            return TelegramCommands.UnknownCommand;
        }

        var isAdmin = _telegram.IsAdmin(message.UserId);
        return command.AdminOnly && !isAdmin
            ? TelegramCommands.AdminsOnly(command.Name)
            : await command.RunAsync(new Commands.CommandCall(message, TelegramCommands.Argument(message.Text), isAdmin, this));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: could not store a note on Telegram update {UpdateId} (waited only, or told it is queued)")]
    private static partial void LogItemNotUpdated(ILogger logger, Exception exception, string sessionId, long updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: could not store the ids of the reply to update {UpdateId}; a retry here still edits them")]
    private static partial void LogReplyIdsNotStored(ILogger logger, Exception exception, string sessionId, long updateId);
}
