using Telegram.Bot.Types.Enums;

namespace Assistant.Telegram.Formatting;

/// <summary>
/// One message's text as it is sent, and as it is sent again should Telegram refuse its
/// formatting: that message alone goes out as plain text (tags dropped), the others keep theirs.
/// </summary>
public sealed record OutgoingText(string Text, ParseMode Mode, string PlainText)
{
    public static OutgoingText Plain(string text) => new(text, ParseMode.None, text);

    public static OutgoingText Html(string html) => new(html, ParseMode.Html, TelegramHtml.ToPlainText(html));

    /// <summary>What is sent in <paramref name="mode"/>: the formatted text, or the plain one once formatting was refused.</summary>
    public string For(ParseMode mode) => mode == ParseMode.None ? PlainText : Text;
}
