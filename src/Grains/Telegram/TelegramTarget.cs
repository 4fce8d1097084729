namespace Assistant.Telegram;

/// <summary>Where a reply goes: the chat, and the user's message it answers.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Telegram.TelegramTarget")]
public sealed record class TelegramTarget(
    [property: Id(0)] long ChatId,
    [property: Id(1)] bool Group,
    [property: Id(2)] int ReplyTo,
    [property: Id(3)] int? ThreadId)
{
    public static TelegramTarget For(TelegramIncoming message) => new(message.ChatId, message.Group, message.MessageId, message.ThreadId);
}
