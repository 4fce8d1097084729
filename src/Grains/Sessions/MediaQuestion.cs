using Assistant.Models;
using Assistant.Telegram;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Sessions;

/// <summary>
/// A Telegram message that carries a photo, voice note or document: read once per turn into the
/// question (<see cref="Telegram.Media.MediaReader"/>), asked again without its image when the
/// model refuses images, or refused with a reply that is the message's only answer. Keeps no state
/// of its own: what was read lives on the turn.
/// </summary>
internal sealed partial class MediaQuestion(
    TelegramResponder telegram,
    ModelExchange exchange,
    IOptions<ChatSessionOptions> options,
    ILogger<MediaQuestion> logger)
{
    /// <summary>A photo, voice note or document becomes the question's text (and for a photo, its image), once per turn.</summary>
    /// <returns>False when the user cancelled (<c>/cancel</c>, <c>/reset</c>) while it was being read.</returns>
    public async Task<bool> PrepareAsync(ChatActivation session, Turn turn, TelegramIncoming message, CancellationToken cancellationToken)
    {
        if (message.Content == TelegramContent.Text || turn.Media is not null)
        {
            return true;
        }

        try
        {
            turn.Media = await telegram.Media.ReadAsync(message, options.Value.MaxMessageChars, cancellationToken);
        }
        catch (Exception) when (turn.Cancellation.IsCancellationRequested && !session.Queue.Stopping.IsCancellationRequested)
        {
            // The user's cancel wins, however it surfaced (Telegram.Bot wraps one during a download in its own exception).
            return false;
        }

        Use(turn);
        return true;
    }

    /// <summary>Asks the model; a photo whose image the endpoint refuses (a model without vision) is asked again without it.</summary>
    public async Task<ExchangeResult> GenerateAsync(ChatActivation session, Turn turn, Action<TextSoFar> onText)
    {
        var stopping = session.Queue.Stopping;
        var result = await exchange.GenerateAsync(session.Id, session.Conversation, turn, onText, stopping);
        if (result.ImageRefused && result.Text.Length == 0 && result.ToolCalls.Count == 0 && turn.Media?.WithoutImage is { } fallback)
        {
            LogImageRejected(logger, session.Id);
            // Without a caption there is nothing left to ask: the model's refusal is counted as its failure.
            turn.Media = fallback.Refusal is null ? fallback : fallback with { Error = ModelFailure.Rejected };
            Use(turn);
            if (turn.Notice is null)
            {
                result = await exchange.GenerateAsync(session.Id, session.Conversation, turn, onText, stopping);
            }
        }

        return result;
    }

    /// <summary>The answer under the media's preface line, unless the model failed (its apology stands alone).</summary>
    public static string Prefaced(Turn turn, string text, string? failure) =>
        failure is null ? TextSoFar.Prefaced(turn.Media?.Preface, text) : text;

    /// <summary>The answer so far under the media's preface line, as <see cref="Prefaced(Turn, string, string?)"/> will deliver it.</summary>
    public static TextSoFar Prefaced(Turn turn, TextSoFar text) => text.UnderPreface(turn.Media?.Preface);

    private static void Use(Turn turn)
    {
        turn.Notice = turn.Media!.Refusal;
        if (turn.Media.Text is { } text)
        {
            turn.Request = new ChatRequest(text); // what is stored is text, never the bytes
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the model rejected an image; asking again with the caption alone")]
    private static partial void LogImageRejected(ILogger logger, string sessionId);
}
