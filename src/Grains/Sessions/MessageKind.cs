using Assistant.Telegram;

namespace Assistant.Sessions;

/// <summary>The kinds messages are counted by in <c>/sessions/report</c> and <c>/metrics</c>, and the channels they come through.</summary>
public static class MessageKind
{
    public const string Text = "text";
    public const string Photo = "photo";
    public const string Voice = "voice";
    public const string Document = "document";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Text, Photo, Voice, Document, Other];

    public const string Telegram = "telegram";
    public const string Api = "api";

    /// <summary>Commands count as text; stickers, videos, locations and the rest as other.</summary>
    public static string Of(TelegramContent content) => content switch
    {
        TelegramContent.Text or TelegramContent.Command => Text,
        TelegramContent.Photo => Photo,
        TelegramContent.Voice => Voice,
        TelegramContent.Document => Document,
        _ => Other,
    };
}
