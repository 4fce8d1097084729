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
    [property: Id(10)] TelegramFile? File = null);

/// <summary>A file a message carries (a document): what <c>getFile</c> needs, and what the user sent it as.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Telegram.TelegramFile")]
public sealed record class TelegramFile(
    [property: Id(0)] string FileId,
    [property: Id(1)] string? FileName,
    [property: Id(2)] long? Size,
    [property: Id(3)] string? MimeType);

[GenerateSerializer, Alias("Assistant.Telegram.DeliveryOutcome")]
public enum DeliveryOutcome
{
    /// <summary>The session stored the message and will answer it.</summary>
    Accepted,

    /// <summary>The session had already received this update; nothing was done.</summary>
    Duplicate,
}
