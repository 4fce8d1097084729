using Microsoft.Extensions.DependencyInjection;
using Assistant.Monitoring;
using Assistant.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot.Types.Enums;

namespace Assistant.Telegram;

/// <summary>What a session needs to answer in Telegram: reply writers, short notices, and who may do what.</summary>
public sealed class TelegramResponder(
    TelegramOutbox outbox,
    ReplyPacing pacing,
    IOptions<TelegramOptions> options,
    ChatAdmission admission,
    IOptions<MonitoringOptions> monitoring,
    Media.MediaReader media,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger<TelegramResponder>();

    public int MaxDeliveryAttempts => options.Value.MaxDeliveryAttempts;

    /// <summary>Reads the photos, voice notes and documents users send (<see cref="Media.MediaReader"/>).</summary>
    public Media.MediaReader Media => media;

    internal TelegramReplyWriter CreateWriter(TelegramTarget target, IReadOnlyList<int> sentBefore, Func<IReadOnlyList<int>, Task> persist, CancellationToken cancellationToken) =>
        new(outbox, pacing.For(target), time, target, sentBefore, persist, cancellationToken, _logger);

    /// <summary>
    /// Waits for this silo's chat admission (<see cref="ChatAdmission"/>: only while throttling),
    /// calling <paramref name="onSlow"/> once the wait passes <c>Monitoring:ThrottleNoticeSeconds</c>.
    /// Cancelling <paramref name="waiting"/> leaves the queue; so does a failing <paramref name="onSlow"/>,
    /// which cancels it.
    /// </summary>
    public async Task<IDisposable> AdmitAsync(Func<Task> onSlow, CancellationTokenSource waiting)
    {
        var enter = admission.EnterAsync(ChatChannel.Telegram, waiting.Token);
        if (enter.IsCompletedSuccessfully)
        {
            return enter.Result!; // not throttling, or room at once
        }

        var entering = enter.AsTask();
        try
        {
            try
            {
                await entering.WaitAsync(TimeSpan.FromSeconds(monitoring.Value.ThrottleNoticeSeconds), time, waiting.Token);
            }
            catch (TimeoutException)
            {
                await onSlow();
            }

            return (await entering)!; // a Telegram turn is never refused, only kept waiting
        }
        catch
        {
            // Cancelled, or the note could not be sent (the chat is gone): leave the queue, and give back a lease granted meanwhile.
            await waiting.CancelAsync();
            if (await entering.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default) is { } granted)
            {
                granted.Dispose();
            }

            throw;
        }
    }

    /// <summary>Sends a short fixed text in reply to the user's message.</summary>
    public Task<int> NoticeAsync(TelegramTarget target, string text, CancellationToken cancellationToken = default) =>
        outbox.SendAsync(target, Formatting.OutgoingText.Plain(text), replyToUser: true, cancellationToken);
}
