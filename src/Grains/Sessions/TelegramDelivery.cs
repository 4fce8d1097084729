using Assistant.Telegram;
using Microsoft.Extensions.Options;

namespace Assistant.Sessions;

/// <summary>
/// The Telegram delivery of one chat, as the session grain sees it: accept a message
/// (<see cref="TelegramIntake"/>), answer it in turn, retry, give up (<see cref="TelegramAnswering"/>),
/// and resume what the stored inbox holds. Keeps no state of its own.
/// </summary>
internal sealed class TelegramDelivery(TelegramIntake intake, TelegramAnswering answering, IOptions<ChatSessionOptions> options)
{
    public Task<DeliveryOutcome> DeliverAsync(ChatActivation session, TelegramIncoming message)
    {
        if (!SessionKey.IsTelegram(session.Id, out var chatId) || chatId != message.ChatId)
        {
            throw new ArgumentException($"Session {session.Id} does not take messages of Telegram chat {message.ChatId}; its key is {SessionKey.Telegram(message.ChatId)}.");
        }

        if (session.Conflicted)
        {
            // This activation gave the chat up: the update is parked and handed to the next one.
            throw new SessionBusyException(SessionLedger.ChangedElsewhere);
        }

        return intake.DeliverAsync(session, message);
    }

    public Task AnswerAsync(ChatActivation session, Turn turn) => answering.AnswerAsync(session, turn);

    /// <summary>Queues what waits in the stored inbox (at activation, the first may have been cut off by the previous one's end).</summary>
    public void Resume(ChatActivation session, bool firstWasInterrupted) => intake.Resume(session, firstWasInterrupted);

    /// <summary>The recovery sweep's call: answers what waits, or clears a mark that no longer applies.</summary>
    public Task<int> ResumeAsync(ChatActivation session) => intake.ResumeAsync(session);

    /// <summary>A turn left the queue: a burst past the queue limit ends when there is room again.</summary>
    public void TurnEnded(ChatActivation session) =>
        session.OverflowNotified &= session.QueuedTelegramCount >= options.Value.MaxQueuedMessages;
}
