using Assistant.Models;
using Assistant.Telegram;
using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// A Telegram message that carries a photo, voice note or document: read once per turn into the
/// question (<see cref="Telegram.Media.MediaReader"/>), asked again without its image when the
/// model refuses images, or refused with a reply that is the message's only answer.
/// </summary>
internal sealed partial class ChatSessionGrain
{
    /// <summary>A photo, voice note or document becomes the question's text (and for a photo, its image), once per turn.</summary>
    /// <returns>False when the user cancelled (<c>/cancel</c>, <c>/reset</c>) while it was being read.</returns>
    private async Task<bool> PrepareMediaAsync(Turn turn, TelegramIncoming message, CancellationToken cancellationToken)
    {
        if (message.Content == TelegramContent.Text || turn.Media is not null)
        {
            return true;
        }

        try
        {
            turn.Media = await _telegram.Media.ReadAsync(message, _options.MaxMessageChars, cancellationToken);
        }
        catch (Exception) when (turn.Cancellation.IsCancellationRequested && !_stopping.IsCancellationRequested)
        {
            // The user's cancel wins, however it surfaced (Telegram.Bot wraps one during a download in its own exception).
            return false;
        }

        UseMedia(turn);
        return true;
    }

    private void UseMedia(Turn turn)
    {
        turn.Notice = turn.Media!.Refusal;
        if (turn.Media.Text is { } text)
        {
            turn.Request = new ChatRequest(text); // what is stored is text, never the bytes
        }
    }

    /// <summary>Asks the model; a photo whose image the endpoint refuses (a model without vision) is asked again without it.</summary>
    private async Task<ExchangeResult> GenerateAsync(Turn turn, Action<TextSoFar> onText)
    {
        var result = await _exchange.GenerateAsync(SessionId, Conversation, turn, onText, _stopping.Token);
        if (result.ImageRefused && result.Text.Length == 0 && result.ToolCalls.Count == 0 && turn.Media?.WithoutImage is { } fallback)
        {
            LogImageRejected(_logger, SessionId);
            // Without a caption there is nothing left to ask: the model's refusal is counted as its failure.
            turn.Media = fallback.Refusal is null ? fallback : fallback with { Error = ModelFailure.Rejected };
            UseMedia(turn);
            if (turn.Notice is null)
            {
                result = await _exchange.GenerateAsync(SessionId, Conversation, turn, onText, _stopping.Token);
            }
        }

        return result;
    }

    /// <summary>The answer under the media's preface line, unless the model failed (its apology stands alone).</summary>
    private static string Prefaced(Turn turn, string text, string? failure) =>
        failure is null ? TextSoFar.Prefaced(turn.Media?.Preface, text) : text;

    /// <summary>The answer so far under the media's preface line, as <see cref="Prefaced(Turn, string, string?)"/> will deliver it.</summary>
    private static TextSoFar Prefaced(Turn turn, TextSoFar text) => text.UnderPreface(turn.Media?.Preface);

    /// <summary>
    /// The file could not be read, or the model could not take it: the user is told why, and nothing
    /// is asked. This reply is the message's only answer, so a failed send is retried; one that may
    /// have arrived is not sent again, and a /cancel or /reset before it is sent stops it.
    /// </summary>
    private async Task RefuseAsync(Turn turn, TelegramIncoming message, CancellationToken cancellationToken)
    {
        if (!turn.Delivered && !turn.Cancellation.IsCancellationRequested)
        {
            try
            {
                await _telegram.NoticeAsync(TelegramTarget.For(message), turn.Notice!, cancellationToken);
            }
            catch (PossiblySentException ex)
            {
                LogRefusalPossiblySent(_logger, ex, SessionId, message.UpdateId);
            }
            catch (OperationCanceledException) when (turn.Cancellation.IsCancellationRequested && !_stopping.IsCancellationRequested)
            {
                // Cancelled while the reply waited (a long retry_after): counted below.
            }
        }

        if (turn.Cancellation.IsCancellationRequested)
        {
            await FinishCancelledAsync(turn);
            return;
        }

        turn.Delivered = true;
        var error = turn.Media?.Error;
        await FinishAsync(turn, error, error is null ? null : s => s.Statistics.Count(s.Statistics.ErrorsByType, error));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the reply to Telegram update {UpdateId} may have arrived (the connection failed after it was sent); not sending it again")]
    private static partial void LogRefusalPossiblySent(ILogger logger, Exception exception, string sessionId, long updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the model rejected an image; asking again with the caption alone")]
    private static partial void LogImageRejected(ILogger logger, string sessionId);
}
