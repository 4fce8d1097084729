using Microsoft.Extensions.DependencyInjection;
using Assistant.Streaming;
using Microsoft.Extensions.Logging;
using Telegram.Bot.Types.Enums;

namespace Assistant.Telegram;

/// <summary>
/// Streams one reply into a chat: a first message once there is enough text, edits at the
/// cadence the <see cref="StreamingCadence"/> allows, then the final text, split over as many
/// messages as it needs. The ids of the messages sent are recorded (and persisted) as soon as
/// they exist, so a reply resumed after a crash edits them instead of sending again.
/// </summary>
internal sealed partial class TelegramReplyWriter(
    TelegramOutbox outbox,
    StreamingCadence cadence,
    FloodGate gate,
    Func<bool> highCpu,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    TelegramTarget target,
    List<int> messageIds,
    Func<Task> persist,
    ILogger logger)
{
    private const string Ellipsis = "…";
    private long _lastPushAt;
    private int _pushedLength;
    private Task? _push;

    /// <summary>Called with the whole reply so far each time the model adds text.</summary>
    public void OnText(string soFar)
    {
        if (_push is { IsCompleted: false })
        {
            return; // The next push carries the newest text anyway.
        }

        var now = time.GetUtcNow();
        var conditions = new CadenceConditions(target.Group, gate.RecentlyRateLimited(target.ChatId, now), highCpu());
        var since = _lastPushAt == 0 ? TimeSpan.MaxValue : time.GetElapsedTime(_lastPushAt);
        if (cadence.ShouldPush(since, soFar.Length - _pushedLength, soFar.Length, conditions))
        {
            _push = PushAsync(Preview(soFar), soFar.Length);
        }
    }

    /// <summary>
    /// Delivers the final text: edits what was sent, sends the rest. Ids of parts sent here are
    /// persisted as they come, except the last one's, which the caller persists together with the
    /// finished exchange: one write fewer between Telegram creating a message and our record of it.
    /// </summary>
    public async Task FinishAsync(string text, CancellationToken cancellationToken)
    {
        if (_push is not null)
        {
            try
            {
                await _push;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPreviewFailed(logger, ex, target.ChatId);
            }
        }

        var parts = MessageSplitter.Split(text);
        for (var i = 0; i < parts.Count; i++)
        {
            if (i < messageIds.Count)
            {
                await outbox.EditAsync(target, messageIds[i], parts[i], ParseMode.Markdown, cancellationToken);
            }
            else
            {
                messageIds.Add(await outbox.SendAsync(target, parts[i], replyToUser: i == 0, ParseMode.Markdown, cancellationToken));
                if (i < parts.Count - 1)
                {
                    await persist();
                }
            }
        }
    }

    private async Task PushAsync(string preview, int length)
    {
        _lastPushAt = time.GetTimestamp();
        _pushedLength = length;
        if (messageIds.Count == 0)
        {
            messageIds.Add(await outbox.SendAsync(target, preview, replyToUser: true, ParseMode.None, CancellationToken.None));
            await persist();
        }
        else
        {
            await outbox.EditAsync(target, messageIds[0], preview, ParseMode.None, CancellationToken.None);
        }
    }

    /// <summary>While streaming, the first message shows the start of the reply; the rest follows at the end.</summary>
    private static string Preview(string soFar) =>
        soFar.Length <= MessageSplitter.TelegramLimit ? soFar : soFar[..(MessageSplitter.TelegramLimit - Ellipsis.Length)] + Ellipsis;

    [LoggerMessage(Level = LogLevel.Warning, Message = "A streaming update to chat {ChatId} failed; the final text is still sent")]
    private static partial void LogPreviewFailed(ILogger logger, Exception exception, long chatId);
}
