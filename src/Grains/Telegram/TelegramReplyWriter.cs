using Microsoft.Extensions.DependencyInjection;
using Assistant.Sessions;
using Assistant.Streaming;
using Microsoft.Extensions.Logging;
using Assistant.Telegram.Formatting;

namespace Assistant.Telegram;

/// <summary>
/// Streams one reply into a chat: a first message once there is enough text, edits at the
/// cadence the <see cref="ReplyPacing"/> allows, then the final text, split over as many
/// messages as it needs. The ids of the messages sent are recorded (and persisted) as soon as
/// they exist, so a reply resumed after a crash edits them instead of sending again. A message
/// that can no longer be edited (the user deleted it) is replaced by a new one.
/// </summary>
internal sealed partial class TelegramReplyWriter(
    TelegramOutbox outbox,
    ReplyPace pace,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    TelegramTarget target,
    IReadOnlyList<int> sentBefore,
    Func<IReadOnlyList<int>, Task> persist,
    CancellationToken cancellationToken,
    ILogger logger)
{
    private const string Ellipsis = "…";

    /// <summary>Telegram shows a chat action for 5 seconds; renewed a little sooner.</summary>
    private static readonly TimeSpan TypingRenewal = TimeSpan.FromSeconds(4);

    /// <summary>The longest a reply's message waits for a chat action still under way.</summary>
    private static readonly TimeSpan TypingSettleLimit = TimeSpan.FromSeconds(2);

    /// <summary>How long a text reply may take before the chat shows "typing…".</summary>
    public static readonly TimeSpan TypingGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>Recorded for a final part that may have arrived (its id unknown).</summary>
    private const int PossiblyDelivered = 0;

    /// <summary>Recorded for a preview that may have arrived (its id unknown).</summary>
    private const int PossiblyPreviewed = -1;
    private readonly List<int> _messageIds = [.. sentBefore];
    private long _startedAt;
    private long _lastPushAt;
    private int _pushedLength;
    private Task? _push;
    private CancellationTokenSource? _typing;
    private Task _typingSent = Task.CompletedTask;

    /// <summary>
    /// Shows "typing…" in the chat after <paramref name="after"/>, renewed every 4 s, until the first
    /// text or <see cref="StopTyping"/>. A reply that comes sooner is its own sign of life and needs
    /// no chat action (<see cref="TypingGrace"/>).
    /// </summary>
    public void StartTyping(TimeSpan after)
    {
        if (_typing is not null)
        {
            return;
        }

        _startedAt = time.GetTimestamp();
        _typing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = TypingAsync(after, _typing.Token);
    }

    public void StopTyping()
    {
        _typing?.Cancel();
    }

    /// <summary>
    /// Stopping ends the waits, not a chat action under way: that one is let finish (it is short),
    /// because cancelling a request mid-flight aborts its connection, and a reply that comes while
    /// "typing…" is being sent would otherwise cost a new connection and an exception every time.
    /// The reply's messages wait for it (<see cref="TypingSentAsync"/>).
    /// </summary>
    private async Task TypingAsync(TimeSpan after, CancellationToken stop)
    {
        try
        {
            var wait = after;
            while (true)
            {
                await Task.Delay(wait, time, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
                if (stop.IsCancellationRequested)
                {
                    return; // The first text is on its way, or the reply is over.
                }

                _typingSent = outbox.SendTypingAsync(target, cancellationToken);
                await _typingSent;
                wait = TypingRenewal;
            }
        }
        catch (OperationCanceledException)
        {
            // The session is stopping.
        }
    }

    /// <summary>
    /// A chat action still under way is let finish before a message of the reply goes: Telegram then
    /// takes "typing…" first and the message ends it, rather than "typing…" showing under the answer.
    /// A chat action that hangs holds the reply for <see cref="TypingSettleLimit"/> at most, and only
    /// once: typing has stopped by then, and the messages after the first have nothing to wait for.
    /// </summary>
    private async Task TypingSentAsync()
    {
        await _typingSent.WaitAsync(TypingSettleLimit, time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        _typingSent = Task.CompletedTask;
    }

    /// <summary>Called with the reply so far each time the model adds text; its text is built only for a push.</summary>
    public void OnText(TextSoFar soFar)
    {
        if (_push is { IsCompleted: false })
        {
            return; // The next push carries the newest text anyway.
        }

        var push = _lastPushAt == 0
            ? pace.ShouldPushFirst(time.GetElapsedTime(_startedAt), soFar.Length)
            : pace.ShouldPush(time.GetElapsedTime(_lastPushAt), soFar.Length - _pushedLength, soFar.Length);
        if (push)
        {
            StopTyping(); // a message of the bot ends "typing…" in the chat anyway
            _push = PushAsync(Preview(soFar.ToString()), soFar.Length);
        }
    }

    /// <summary>
    /// Delivers the final text: edits what was sent, sends the rest. Ids of parts sent here are
    /// persisted as they come, except the last one's, which the caller persists together with the
    /// finished exchange: one write fewer between Telegram creating a message and our record of it.
    /// </summary>
    public async Task FinishAsync(string text)
    {
        StopTyping();
        await TypingSentAsync();
        if (_push is not null)
        {
            try
            {
                await _push;
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not ChatUnreachableException)
            {
                LogPreviewFailed(logger, ex, target.ChatId);
            }
        }

        var parts = TelegramHtmlSplitter.Split(TelegramHtml.RenderBlocks(text)).Select(OutgoingText.Html).ToList();
        for (var i = 0; i < parts.Count; i++)
        {
            if (i < _messageIds.Count && (_messageIds[i] == PossiblyDelivered || await TryEditAsync(_messageIds[i], parts[i])))
            {
                continue; // Edited, or this very part may already have arrived: not sent a third time.
            }

            var id = await SendAsync(parts[i], replyToUser: i == 0);
            if (i < _messageIds.Count)
            {
                _messageIds[i] = id;
            }
            else
            {
                _messageIds.Add(id);
            }

            if (i < parts.Count - 1)
            {
                await persist(_messageIds);
            }
        }

        pace.Finished();
    }

    private async Task<bool> TryEditAsync(int messageId, OutgoingText text)
    {
        if (messageId <= 0)
        {
            return false; // A preview that may have arrived but whose id we never learned: the text goes out anew.
        }

        try
        {
            await outbox.EditAsync(target, messageId, text, cancellationToken);
            pace.Edited();
            return true;
        }
        catch (MessageNotEditableException ex)
        {
            LogNotEditable(logger, target.ChatId, messageId, ex.Message);
            return false;
        }
    }

    /// <returns>The new message's id; <see cref="PossiblyDelivered"/> when the send may have arrived without telling us its id.</returns>
    private async Task<int> SendAsync(OutgoingText text, bool replyToUser)
    {
        try
        {
            return await outbox.SendAsync(target, text, replyToUser, cancellationToken);
        }
        catch (PossiblySentException ex)
        {
            // Sending a third time could show the user the same text three times; it most likely arrived.
            LogPossiblySent(logger, target.ChatId, ex.InnerException?.Message ?? ex.Message);
            return PossiblyDelivered;
        }
    }

    private async Task PushAsync(string preview, int length)
    {
        _lastPushAt = time.GetTimestamp();
        _pushedLength = length;
        await TypingSentAsync();
        if (_messageIds.Count == 0)
        {
            try
            {
                _messageIds.Add(await outbox.SendAsync(target, OutgoingText.Plain(preview), replyToUser: true, cancellationToken));
            }
            catch (PossiblySentException)
            {
                _messageIds.Add(PossiblyPreviewed);
            }

            await persist(_messageIds);
        }
        else if (_messageIds[0] > 0)
        {
            await outbox.EditAsync(target, _messageIds[0], OutgoingText.Plain(preview), cancellationToken);
            pace.Edited();
        }

        // The interval runs from when the update landed: one held back (a 429's retry_after, the
        // flood gate) would otherwise be followed by the next at once.
        _lastPushAt = time.GetTimestamp();
    }

    /// <summary>While streaming, the first message shows the start of the reply; the rest follows at the end.</summary>
    private static string Preview(string soFar) =>
        soFar.Length <= TelegramHtmlSplitter.TelegramLimit ? soFar : soFar[..(TelegramHtmlSplitter.TelegramLimit - Ellipsis.Length)] + Ellipsis;

    [LoggerMessage(Level = LogLevel.Warning, Message = "A streaming update to chat {ChatId} failed; the final text is still sent")]
    private static partial void LogPreviewFailed(ILogger logger, Exception exception, long chatId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} in chat {ChatId} can't be edited ({Reason}); the reply continues in a new message")]
    private static partial void LogNotEditable(ILogger logger, long chatId, int messageId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message to chat {ChatId} may have arrived although the connection failed ({Reason}); not sending it again")]
    private static partial void LogPossiblySent(ILogger logger, long chatId, string reason);
}
