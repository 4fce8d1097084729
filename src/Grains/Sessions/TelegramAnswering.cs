using Assistant.Models;
using Assistant.Telegram;
using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// Answering a chat's Telegram messages, in order and once: commands, notices and exchanges with
/// the model (<see cref="TelegramReplying"/>). A failed attempt is retried with backoff, the same
/// turn (what was generated and delivered is kept), until it succeeds or is given up after
/// <see cref="TelegramOptions.MaxDeliveryAttempts"/> (the user told, a dead letter kept); a chat
/// that blocked the bot has its queue dropped. Keeps no state of its own.
/// </summary>
internal sealed partial class TelegramAnswering(
    TelegramResponder telegram,
    TelegramCounters counters,
    DeadLetters deadLetters,
    TelegramReplying replying,
    SessionLedger ledger,
    Commands.CommandHosts commandHosts,
    Access.UserAccounts accounts,
    ILogger<TelegramAnswering> logger)
{
    /// <summary>Answers one inbox item; only a shutdown ends it early, leaving the item for the next activation.</summary>
    public async Task AnswerAsync(ChatActivation session, Turn turn)
    {
        var updateId = turn.Telegram!.UpdateId;
        if (turn.Resumed)
        {
            turn.Attempts = (session.Inbox.Value.Find(updateId)?.Attempts ?? 0) + 1;
            await CountAttemptAsync(session, updateId, "interrupted: the previous activation ended before the answer was recorded");
        }

        string? failure = null;
        var stopping = session.Queue.Stopping;
        while (session.Inbox.Value.Find(updateId) is { } item)
        {
            try
            {
                var attempts = Math.Max(item.Attempts, turn.Attempts);
                if (attempts >= telegram.MaxDeliveryAttempts)
                {
                    await GiveUpAsync(session, item, attempts, failure);
                    ledger.Metrics.MessageGivenUp(MessageKind.Telegram, MessageKind.Of(item.Message.Content));
                }
                else
                {
                    await AnswerOnceAsync(session, turn, item);
                }

                return;
            }
            catch (ChatUnreachableException ex)
            {
                await DropUnreachableAsync(session, ex);
                return;
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested && ex is not SessionStoppingException and not Orleans.Storage.InconsistentStateException)
            {
                turn.Attempts = Math.Max(item.Attempts, turn.Attempts) + 1;
                failure = $"{ex.GetType().Name}: {ex.Message}";
                LogAttemptFailed(logger, ex, session.Id, updateId, turn.Attempts);
                await CountAttemptAsync(session, updateId, failure);
                await Task.Delay(Backoff.Jittered(turn.Attempts), ledger.Time, stopping);
            }
        }
    }

    private async Task AnswerOnceAsync(ChatActivation session, Turn turn, TelegramInboxItem item)
    {
        var message = item.Message;
        var asks = item.Notice is null && (message.Content == TelegramContent.Text || Telegram.Media.MediaReader.Reads(message));
        // Asked at each attempt, so a ban or a new role holds for a retried turn too (the pace of a message is decided once).
        var access = turn.Access = await accounts.AdmitAsync(message, counts: asks);
        if (asks && access.Allowed)
        {
            if (access.Pace == Access.Pace.Within)
            {
                await replying.ExchangeAsync(session, turn, item);
                return;
            }

            // Over the sender's message rate: not answered, and told so once a minute; the model is not called.
            await NoticeOnceAsync(session, turn, message, access.Pace == Access.Pace.SlowDown ? TelegramCommands.SlowDown : null);
            await ledger.FinishTelegramAsync(session, turn, null, null);
            return;
        }

        if (item.Notice is null && message.Content != TelegramContent.Command && !access.Allowed)
        {
            var refuse = !session.Conversation.RefusedUsers.Contains(message.UserId);
            await NoticeOnceAsync(session, turn, message, refuse ? Refusal(access, message) : null);
            await ledger.FinishTelegramAsync(session, turn, null, s =>
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
            ?? (message.Content == TelegramContent.Command ? await RunCommandAsync(session, message, access) : TelegramCommands.Unsupported(message.Content));
        await NoticeOnceAsync(session, turn, message, turn.Notice);
        await ledger.FinishTelegramAsync(session, turn, null, null);
        if (!session.Started && session.Queue.Count == 0)
        {
            session.DeactivateOnIdle(); // it only turned messages away: it holds no place under the session cap
        }
    }

    /// <summary>Why the sender may not use the bot; a ban is not said in a group, where the others would read it.</summary>
    private static string Refusal(Access.UserAccess access, TelegramIncoming message) =>
        access.Banned && !message.Group ? TelegramCommands.Banned : TelegramCommands.NotAllowed;

    private async Task NoticeOnceAsync(ChatActivation session, Turn turn, TelegramIncoming message, string? text)
    {
        if (text is not null && !turn.Delivered)
        {
            await replying.NoticeAsync(session, TelegramTarget.For(message), text);
        }

        turn.Delivered = true;
    }

    private async Task<string> RunCommandAsync(ChatActivation session, TelegramIncoming message, Access.UserAccess access)
    {
        if (!access.Allowed)
        {
            return Refusal(access, message);
        }

        if (Commands.ChatCommands.Find(TelegramCommands.Name(message.Text)) is not { } command)
        {
            return TelegramCommands.UnknownCommand;
        }

        return command.AdminOnly && !access.IsAdmin
            ? TelegramCommands.AdminsOnly(command.Name)
            : await command.RunAsync(new Commands.CommandCall(message, TelegramCommands.Argument(message.Text), access, commandHosts.For(session)));
    }

    /// <summary>Stores one more failed attempt; best effort, since storage may be what fails (the turn counts too).</summary>
    private Task CountAttemptAsync(ChatActivation session, long updateId, string failure) =>
        SessionLedger.UpdateItemAsync(session, updateId, stored =>
        {
            stored.Attempts++;
            stored.LastFailure = failure;
        }, ex => LogAttemptNotStored(logger, ex, session.Id, updateId));

    /// <summary>The user is told and the message kept as a dead letter; throws while storage fails (the caller tries again).</summary>
    private async Task GiveUpAsync(ChatActivation session, TelegramInboxItem item, int attempts, string? failureHere)
    {
        var message = item.Message;
        var failure = failureHere ?? item.LastFailure ?? ModelFailure.Unknown;

        // Stored once per update: a give-up repeated after a failed write neither adds a row nor apologises again.
        if (await deadLetters.AddAsync(session.Id, message, attempts, failure, DeadLetters.Stage.Answer, ledger.Time.GetUtcNow()))
        {
            counters.CountDeadLetter();
            LogGaveUp(logger, session.Id, message.UpdateId, attempts, failure);
            try
            {
                await replying.NoticeAsync(session, TelegramTarget.For(message), TelegramCommands.Undeliverable(message.Text));
            }
            catch (ChatUnreachableException)
            {
                // The user blocked the bot meanwhile: the dead letter is all that is left to do.
            }
        }

        // Settled in the delivery record alone: the conversation's own state may be what keeps
        // failing, and its statistics are only figures.
        await session.Inbox.UpdateAsync(s => s.Settle(message.UpdateId));
        try
        {
            await session.Session.UpdateAsync(s =>
            {
                s.Statistics.Count(s.Statistics.MessagesByKind, MessageKind.Of(message.Content));
                s.Statistics.Count(s.Statistics.ErrorsByType, DeadLetters.ErrorType);
            });
            ledger.Publish(session);
        }
        catch (Exception ex)
        {
            LogStatisticsFailed(logger, ex, session.Id, message.UpdateId);
        }

        await ledger.TouchDirectoryAsync(session);
    }

    /// <summary>Telegram answered 403: the queue is dropped, and nothing more is sent until the user writes again.</summary>
    private async Task DropUnreachableAsync(ChatActivation session, ChatUnreachableException ex)
    {
        // Settled, like answered messages: their queued turns end without sending, and a message
        // the user sends after this is answered.
        var dropped = session.Waiting.Select(i => i.Message.UpdateId).ToList();
        LogUnreachable(logger, session.Id, ex.Message, dropped.Count);
        await session.Inbox.UpdateAsync(s =>
        {
            var changed = false;
            foreach (var id in dropped)
            {
                changed |= s.Settle(id);
            }

            return changed;
        });
        await ledger.TouchDirectoryAsync(session);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: answering Telegram update {UpdateId} failed (attempt {Attempt})")]
    private static partial void LogAttemptFailed(ILogger logger, Exception exception, string sessionId, long updateId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: gave up on Telegram update {UpdateId} after {Attempts} attempts ({Failure}); the user was told and it is a dead letter")]
    private static partial void LogGaveUp(ILogger logger, string sessionId, long updateId, int attempts, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: chat unreachable ({Reason}); dropped {Count} queued messages, nothing more is sent until the user writes again")]
    private static partial void LogUnreachable(ILogger logger, string sessionId, string reason, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: update {UpdateId} was given up; the conversation's statistics could not count it")]
    private static partial void LogStatisticsFailed(ILogger logger, Exception exception, string sessionId, long updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the failed attempt at update {UpdateId} could not be stored; it is counted in memory")]
    private static partial void LogAttemptNotStored(ILogger logger, Exception exception, string sessionId, long updateId);
}
