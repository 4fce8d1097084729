namespace Assistant.Telegram.Media;

/// <summary>What the bot reads beyond text: photos, voice notes and audio, documents. One place for each kind's reader.</summary>
public sealed class MediaReader(PhotoReader photos, VoiceReader voices, DocumentReader documents)
{
    /// <summary>Whether <paramref name="message"/> carries something a reader takes (anything else gets a fixed reply).</summary>
    public static bool Reads(TelegramIncoming message) => message.Content switch
    {
        TelegramContent.Photo => message.PhotoSizes is { Count: > 0 },
        TelegramContent.Voice or TelegramContent.Document => message.File is not null,
        _ => false,
    };

    /// <param name="maxChars">The most the conversation keeps of the message's text.</param>
    public Task<MediaInput> ReadAsync(TelegramIncoming message, int maxChars, CancellationToken cancellationToken) => message.Content switch
    {
        TelegramContent.Photo => photos.ReadAsync(message.PhotoSizes!, message.Text, cancellationToken),
        TelegramContent.Voice => voices.ReadAsync(message.File!, message.Text, maxChars, cancellationToken),
        TelegramContent.Document => documents.ReadAsync(message.File!, message.Text, maxChars, cancellationToken),
        _ => throw new ArgumentException($"No reader takes {message.Content} messages.", nameof(message)),
    };
}
