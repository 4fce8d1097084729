using Assistant.Models;
using Assistant.Telegram;
using Assistant.Telegram.Media;
using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// One Telegram exchange with the model: the message's photo, voice or file read (once,
/// <see cref="MediaQuestion"/>), the model asked (once), the answer streamed into the chat and
/// delivered (once), then recorded with its update id. "typing…" shows from the start of the
/// download until the first text. Keeps no state of its own; a retry of the same turn goes on from
/// what the turn holds.
/// </summary>
internal sealed partial class TelegramReplying(
    TelegramResponder telegram,
    MediaQuestion media,
    ModelExchange exchange,
    SessionLedger ledger,
    ILogger<TelegramReplying> logger)
{
    public async Task ExchangeAsync(ChatActivation session, Turn turn, TelegramInboxItem item)
    {
        var generation = turn.Generation ??= session.Generation;
        var message = item.Message;
        var stopping = session.Queue.Stopping;
        turn.SentIds ??= [.. item.ReplyMessageIds];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(turn.Cancellation.Token, stopping);
        var writer = telegram.CreateWriter(TelegramTarget.For(message), turn.SentIds, ids => SaveReplyIdsAsync(session, turn, message.UpdateId, ids), stop.Token);
        if (turn.Generated is null && turn.Notice is null)
        {
            IDisposable admitted;
            using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
            {
                turn.AdmissionWait = waiting;
                try
                {
                    // While the service throttles under high CPU, this silo's turns go a few at a time, in order.
                    admitted = await telegram.AdmitAsync(() => QueuedNoticeAsync(session, turn, message), waiting);
                }
                catch (OperationCanceledException) when (turn.Cancellation.IsCancellationRequested && !stopping.IsCancellationRequested)
                {
                    await FinishCancelledAsync(session, turn); // /cancel or /reset while it waited
                    return;
                }
                catch (OperationCanceledException) when (session.Queue.StopRequested)
                {
                    // A shutdown while it only waited: nothing was done, so the next activation starts it afresh, not as a failed attempt.
                    await UpdateItemAsync(session, message.UpdateId, i => i.WaitedOnly = true);
                    throw new SessionStoppingException();
                }
                finally
                {
                    turn.AdmissionWait = null;
                }
            }

            if (session.Inbox.Value.Find(message.UpdateId) is { WaitedOnly: true })
            {
                await UpdateItemAsync(session, message.UpdateId, i => i.WaitedOnly = false); // from here on a failure counts again
            }

            using (admitted)
            {
                // A file to fetch (and transcribe) is slow: "typing…" at once; a text reply gets a grace.
                writer.StartTyping(MediaReader.Reads(message) ? TimeSpan.Zero : TelegramReplyWriter.TypingGrace);
                try
                {
                    if (!await media.PrepareAsync(session, turn, message, stop.Token))
                    {
                        await FinishCancelledAsync(session, turn); // /cancel or /reset while the file was fetched or transcribed
                        return;
                    }

                    if (turn.Notice is null)
                    {
                        turn.Generated = await media.GenerateAsync(session, turn, text => writer.OnText(MediaQuestion.Prefaced(turn, text)));
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
            await RefuseAsync(session, turn, message, stop.Token);
            return;
        }

        var result = turn.Generated!;
        if (!turn.Delivered)
        {
            try
            {
                await writer.FinishAsync(MediaQuestion.Prefaced(turn, result.Reply, result.Failure));
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
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

        var elapsed = ledger.Elapsed(turn);
        await ledger.FinishTelegramAsync(session, turn, result.Failure, s =>
        {
            if (generation == session.Generation)
            {
                exchange.Record(s, result, elapsed);
            }
        });
    }

    /// <summary>A short fixed text: best effort, except that a 403 means the chat is gone.</summary>
    public async Task NoticeAsync(ChatActivation session, TelegramTarget target, string text)
    {
        try
        {
            await telegram.NoticeAsync(target, text, session.Queue.Stopping);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ChatUnreachableException)
        {
            LogNoticeFailed(logger, ex, session.Id);
        }
    }

    /// <summary>Cancelled before anything was asked: nothing is sent, and the message is done.</summary>
    private async Task FinishCancelledAsync(ChatActivation session, Turn turn)
    {
        turn.Delivered = true;
        await ledger.FinishTelegramAsync(session, turn, null, s => s.Statistics.Cancelled++);
    }

    /// <summary>
    /// The file could not be read, or the model could not take it: the user is told why, and nothing
    /// is asked. This reply is the message's only answer, so a failed send is retried; one that may
    /// have arrived is not sent again, and a /cancel or /reset before it is sent stops it.
    /// </summary>
    private async Task RefuseAsync(ChatActivation session, Turn turn, TelegramIncoming message, CancellationToken cancellationToken)
    {
        if (!turn.Delivered && !turn.Cancellation.IsCancellationRequested)
        {
            try
            {
                await telegram.NoticeAsync(TelegramTarget.For(message), turn.Notice!, cancellationToken);
            }
            catch (PossiblySentException ex)
            {
                LogRefusalPossiblySent(logger, ex, session.Id, message.UpdateId);
            }
            catch (OperationCanceledException) when (turn.Cancellation.IsCancellationRequested && !session.Queue.Stopping.IsCancellationRequested)
            {
                // Cancelled while the reply waited (a long retry_after): counted below.
            }
        }

        if (turn.Cancellation.IsCancellationRequested)
        {
            await FinishCancelledAsync(session, turn);
            return;
        }

        turn.Delivered = true;
        var error = turn.Media?.Error;
        await ledger.FinishTelegramAsync(session, turn, error, error is null ? null : s => s.Statistics.Count(s.Statistics.ErrorsByType, error));
    }

    /// <summary>The "busy, your message is queued" note, once per message (remembered in the inbox, best effort).</summary>
    private async Task QueuedNoticeAsync(ChatActivation session, Turn turn, TelegramIncoming message)
    {
        if (!turn.QueuedNoticeSent && session.Inbox.Value.Find(message.UpdateId) is not { QueuedNoticeSent: true })
        {
            turn.QueuedNoticeSent = true;
            await NoticeAsync(session, TelegramTarget.For(message), TelegramCommands.Queued);
            await UpdateItemAsync(session, message.UpdateId, i => i.QueuedNoticeSent = true);
        }
    }

    private Task UpdateItemAsync(ChatActivation session, long updateId, Action<TelegramInboxItem> change) =>
        SessionLedger.UpdateItemAsync(session, updateId, change, ex => LogItemNotUpdated(logger, ex, session.Id, updateId));

    /// <summary>Best effort: the ids also live on the turn, so a retry in this activation edits them; only a crash in between loses them.</summary>
    private async Task SaveReplyIdsAsync(ChatActivation session, Turn turn, long updateId, IReadOnlyList<int> ids)
    {
        turn.SentIds = [.. ids];
        await SessionLedger.UpdateItemAsync(session, updateId, i => i.ReplyMessageIds = [.. ids], ex => LogReplyIdsNotStored(logger, ex, session.Id, updateId));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: a notice could not be sent to Telegram")]
    private static partial void LogNoticeFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: could not store a note on Telegram update {UpdateId} (waited only, or told it is queued)")]
    private static partial void LogItemNotUpdated(ILogger logger, Exception exception, string sessionId, long updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: could not store the ids of the reply to update {UpdateId}; a retry here still edits them")]
    private static partial void LogReplyIdsNotStored(ILogger logger, Exception exception, string sessionId, long updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the reply to Telegram update {UpdateId} may have arrived (the connection failed after it was sent); not sending it again")]
    private static partial void LogRefusalPossiblySent(ILogger logger, Exception exception, string sessionId, long updateId);
}
