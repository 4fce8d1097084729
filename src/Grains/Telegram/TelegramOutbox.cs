using Assistant.Telegram.Formatting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace Assistant.Telegram;

/// <summary>
/// Every message this silo sends or edits goes through here: the flood gate decides when, a 429
/// makes the chat wait as long as Telegram says (the message stays queued, however long, unless the
/// caller's token is cancelled), rejected formatting falls back to plain text, and "message is not
/// modified" is not an error. A 403 becomes <see cref="ChatUnreachableException"/>, an edit of a
/// message that is gone <see cref="MessageNotEditableException"/>. Network failures are retried:
/// edits (idempotent) and requests that never left up to five times, a sendMessage that may have
/// reached Telegram once only, since Telegram has no idempotency key.
/// </summary>
public sealed partial class TelegramOutbox(
    TelegramBot bot,
    FloodGate gate,
    TelegramCounters counters,
    IClusterMembershipService membership,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<TelegramOutbox> logger)
{
    private const int NetworkAttempts = 5;
    private const int PossiblySentAttempts = 2;

    /// <summary>Until when a 429's <c>retry_after</c> holds messages to this chat back, if it does now.</summary>
    public DateTimeOffset? BlockedUntil(long chatId) => gate.BlockedUntil(chatId) is var until && until > time.GetUtcNow() ? until : null;

    /// <returns>The id of the message Telegram created.</returns>
    public async Task<int> SendAsync(TelegramTarget target, OutgoingText text, bool replyToUser, CancellationToken cancellationToken)
    {
        var message = await DeliverAsync(target, text.Mode, idempotent: false, mode => bot.Client.SendMessage(
            target.ChatId,
            text.For(mode),
            mode,
            replyParameters: replyToUser ? new ReplyParameters { MessageId = target.ReplyTo, AllowSendingWithoutReply = true } : null,
            messageThreadId: target.ThreadId,
            cancellationToken: cancellationToken), cancellationToken);
        counters.CountSent();
        LogSent(logger, target.ChatId, message!.MessageId, text.Text.Length);
        return message.MessageId;
    }

    /// <summary>Sends a file (a conversation's export) in reply to the user's message, through the same gate and retries as a message.</summary>
    public async Task<int> SendDocumentAsync(TelegramTarget target, string fileName, byte[] content, string caption, CancellationToken cancellationToken)
    {
        var message = await DeliverAsync(target, ParseMode.None, idempotent: false, _ =>
        {
            var file = InputFile.FromStream(new MemoryStream(content, writable: false), fileName); // a fresh stream per attempt
            return bot.Client.SendDocument(
                target.ChatId,
                file,
                caption: caption,
                replyParameters: new ReplyParameters { MessageId = target.ReplyTo, AllowSendingWithoutReply = true },
                messageThreadId: target.ThreadId,
                cancellationToken: cancellationToken);
        }, cancellationToken);
        counters.CountSent();
        LogSentDocument(logger, target.ChatId, message!.MessageId, content.Length);
        return message.MessageId;
    }

    /// <summary>
    /// Shows "typing…" in the chat for up to 5 seconds; best effort, one try, outside the flood gate
    /// (it is not a message), and not at all while a 429 holds the chat back.
    /// </summary>
    public async Task SendTypingAsync(TelegramTarget target, CancellationToken cancellationToken)
    {
        if (BlockedUntil(target.ChatId) is not null)
        {
            return;
        }

        try
        {
            await bot.Client.SendChatAction(target.ChatId, ChatAction.Typing, messageThreadId: target.ThreadId, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTypingFailed(logger, target.ChatId, ex.Message);
        }
    }

    public async Task EditAsync(TelegramTarget target, int messageId, OutgoingText text, CancellationToken cancellationToken)
    {
        try
        {
            var edited = await DeliverAsync(target, text.Mode, idempotent: true, mode => bot.Client.EditMessageText(target.ChatId, messageId, text.For(mode), mode, cancellationToken: cancellationToken), cancellationToken);
            if (edited is not null)
            {
                counters.CountEdited();
                LogEdited(logger, target.ChatId, messageId, text.Text.Length);
            }
        }
        catch (ApiRequestException ex) when (TelegramRefusals.NotEditable(ex))
        {
            throw new MessageNotEditableException(messageId, ex.Message);
        }
    }

    /// <returns>The message, or null when Telegram said it was not modified.</returns>
    private async Task<Message?> DeliverAsync(TelegramTarget target, ParseMode parseMode, bool idempotent, Func<ParseMode, Task<Message>> call, CancellationToken cancellationToken)
    {
        var mode = parseMode;
        var networkFailures = 0;
        var possiblySent = 0;
        while (true)
        {
            gate.Silos = Math.Max(1, membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active));
            while (!gate.TryAcquire(target.ChatId, target.Group, time.GetUtcNow(), out var retryAt))
            {
                await Task.Delay(Max(retryAt - time.GetUtcNow(), TimeSpan.FromMilliseconds(1)), time, cancellationToken);
            }

            try
            {
                return await call(mode);
            }
            catch (ApiRequestException ex) when (ex.ErrorCode == 429)
            {
                var retryAfter = TimeSpan.FromSeconds(Math.Max(1, ex.Parameters?.RetryAfter ?? 1));
                counters.CountTooManyRequests();
                gate.Penalize(target.ChatId, retryAfter, time.GetUtcNow());
                LogRateLimited(logger, target.ChatId, retryAfter.TotalSeconds);
            }
            catch (ApiRequestException ex) when (TelegramRefusals.NotModified(ex))
            {
                return null;
            }
            catch (ApiRequestException ex) when (mode != ParseMode.None && TelegramRefusals.BadEntities(ex))
            {
                LogPlainFallback(logger, target.ChatId, ex.Message);
                mode = ParseMode.None;
            }
            catch (ApiRequestException ex) when (ex.ErrorCode == 403)
            {
                counters.CountFailed($"{ex.ErrorCode}: {ex.Message}");
                throw new ChatUnreachableException(target.ChatId, ex.Message);
            }
            catch (ApiRequestException ex)
            {
                counters.CountFailed($"{ex.ErrorCode}: {ex.Message}");
                LogRejected(logger, target.ChatId, ex.ErrorCode, ex.Message);
                throw;
            }
            catch (Exception ex) when (TelegramRefusals.Network(ex) && !cancellationToken.IsCancellationRequested)
            {
                var sentMaybe = !idempotent && !TelegramRefusals.NeverSent(ex);
                possiblySent += sentMaybe ? 1 : 0;
                if (++networkFailures >= NetworkAttempts || possiblySent >= PossiblySentAttempts)
                {
                    counters.CountFailed(ex.Message);
                    throw sentMaybe ? new PossiblySentException(ex) : ex;
                }

                counters.RecordError(ex.Message);
                LogNetworkRetry(logger, target.ChatId, networkFailures, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * (1 << networkFailures)), time, cancellationToken);
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent message {MessageId} to chat {ChatId} ({Length} chars)")]
    private static partial void LogSent(ILogger logger, long chatId, int messageId, int length);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent document {MessageId} to chat {ChatId} ({Bytes} bytes)")]
    private static partial void LogSentDocument(ILogger logger, long chatId, int messageId, int bytes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Edited message {MessageId} in chat {ChatId} ({Length} chars)")]
    private static partial void LogEdited(ILogger logger, long chatId, int messageId, int length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram answered 429 for chat {ChatId}: waiting {Seconds} s before sending again")]
    private static partial void LogRateLimited(ILogger logger, long chatId, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram rejected the formatting for chat {ChatId} ({Reason}); sending plain text")]
    private static partial void LogPlainFallback(ILogger logger, long chatId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "\"typing\" could not be shown in chat {ChatId}: {Reason}")]
    private static partial void LogTypingFailed(ILogger logger, long chatId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram refused a message for chat {ChatId}: {Code} {Reason}")]
    private static partial void LogRejected(ILogger logger, long chatId, int code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reach Telegram for chat {ChatId} (attempt {Attempt}): {Reason}")]
    private static partial void LogNetworkRetry(ILogger logger, long chatId, int attempt, string reason);
}
