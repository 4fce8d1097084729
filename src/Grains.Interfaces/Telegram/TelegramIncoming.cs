namespace Assistant.Telegram;

[GenerateSerializer, Alias("Assistant.Telegram.TelegramContent")]
public enum TelegramContent
{
    Text,
    Command,
    Photo,
    Voice,
    Sticker,
    Document,
    Other,
    Video,
    Location,
}

/// <summary>A Telegram message addressed to the bot, as handed to the chat's session.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Telegram.TelegramIncoming")]
public sealed record class TelegramIncoming(
    [property: Id(0)] long UpdateId,
    [property: Id(1)] long ChatId,
    [property: Id(2)] int MessageId,
    [property: Id(3)] long UserId,
    [property: Id(4)] string? FirstName,
    [property: Id(5)] bool Group,
    [property: Id(6)] TelegramContent Content,
    [property: Id(7)] string Text,
    [property: Id(8)] int? ThreadId,
    [property: Id(9)] DateTimeOffset SentAt,
    [property: Id(10)] TelegramFile? File = null,
    [property: Id(11)] IReadOnlyList<TelegramFile>? PhotoSizes = null);

/// <summary>
/// A file a message carries (a document, a voice note, audio, one size of a photo): what
/// <c>getFile</c> needs, and what the user sent it as. Only ids and sizes: the bytes are fetched
/// while the message is answered and never stored.
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Telegram.TelegramFile")]
public sealed record class TelegramFile(
    [property: Id(0)] string FileId,
    [property: Id(1)] string? FileName,
    [property: Id(2)] long? Size,
    [property: Id(3)] string? MimeType,
    [property: Id(4)] int? DurationSeconds = null);

[GenerateSerializer, Alias("Assistant.Telegram.DeliveryOutcome")]
public enum DeliveryOutcome
{
    /// <summary>The session stored the message and will answer it.</summary>
    Accepted,

    /// <summary>The session had already received this update; nothing was done.</summary>
    Duplicate,
}
