using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace Assistant.Telegram;

/// <summary>
/// Decides which updates concern the bot and what they hold. Private chats always do; in groups
/// only commands, mentions of the bot and replies to its messages do. Channels are ignored.
/// </summary>
public static class IncomingMessages
{
    /// <returns>The message to hand to the chat's session, or null when the bot should stay silent.</returns>
    public static TelegramIncoming? From(Update update, TelegramBotUser bot)
    {
        if (update.Message is not { } message || message.Chat.Type is ChatType.Channel)
        {
            return null;
        }

        var group = message.Chat.Type is ChatType.Group or ChatType.Supergroup;
        var text = message.Text ?? message.Caption ?? "";
        var mention = bot.Username is { Length: > 0 } name ? "@" + name : null;
        var command = message.Text is { } t && t.StartsWith('/');
        if (group)
        {
            var mentioned = mention is not null && text.Contains(mention, StringComparison.OrdinalIgnoreCase);
            var repliedTo = message.ReplyToMessage?.From?.Id == bot.Id;
            if (!mentioned && !repliedTo && !command)
            {
                return null;
            }
        }

        if (command && CommandTarget(text) is { } target && mention is not null && !string.Equals("@" + target, mention, StringComparison.OrdinalIgnoreCase))
        {
            return null; // /command@SomeOtherBot
        }

        var content = message.Type switch
        {
            MessageType.Text => command ? TelegramContent.Command : TelegramContent.Text,
            MessageType.Photo => TelegramContent.Photo,
            MessageType.Voice or MessageType.Audio => TelegramContent.Voice,
            MessageType.Sticker => TelegramContent.Sticker,
            MessageType.Document => TelegramContent.Document,
            MessageType.Video or MessageType.VideoNote or MessageType.Animation => TelegramContent.Video,
            MessageType.Location or MessageType.Venue => TelegramContent.Location,
            _ => TelegramContent.Other,
        };

        var clean = mention is null ? text : text.Replace(mention, "", StringComparison.OrdinalIgnoreCase);
        return new TelegramIncoming(
            update.Id,
            message.Chat.Id,
            message.MessageId,
            message.From?.Id ?? 0,
            message.From?.FirstName,
            group,
            content,
            clean.Trim(),
            message.IsTopicMessage ? message.MessageThreadId : null,
            new DateTimeOffset(DateTime.SpecifyKind(message.Date, DateTimeKind.Utc)),
            FileOf(message),
            message.Photo is { Length: > 0 } sizes ? [.. sizes.Select(p => new TelegramFile(p.FileId, null, p.FileSize, "image/jpeg"))] : null);
    }

    /// <summary>The file a document, voice note or audio message carries (a photo's sizes are kept apart).</summary>
    private static TelegramFile? FileOf(Message message) => message switch
    {
        { Document: { } d } => new TelegramFile(d.FileId, d.FileName, d.FileSize, d.MimeType),
        { Voice: { } v } => new TelegramFile(v.FileId, null, v.FileSize, v.MimeType, v.Duration),
        { Audio: { } a } => new TelegramFile(a.FileId, a.FileName, a.FileSize, a.MimeType, a.Duration),
        _ => null,
    };

    /// <summary>The bot named in <c>/command@bot</c>, if any.</summary>
    private static string? CommandTarget(string text)
    {
        var first = text.Split(' ', 2)[0];
        var at = first.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? null : first[(at + 1)..];
    }
}
