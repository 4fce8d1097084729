namespace Assistant.Fakes.Telegram;

/// <summary>A message the bot sent, as the fake Bot API recorded it, with every edit.</summary>
public sealed class FakeBotMessage
{
    public required long ChatId { get; init; }

    public required int MessageId { get; init; }

    public int? ReplyTo { get; init; }

    public required DateTimeOffset SentAt { get; init; }

    /// <summary>The text as a client shows it (with HTML, after Telegram parsed the tags).</summary>
    public string Text { get; set; } = "";

    /// <summary>The text as the bot sent it (with HTML, the tags included).</summary>
    public string Formatted { get; set; } = "";

    public string? ParseMode { get; set; }

    /// <summary>Sent with <c>parse_mode=HTML</c> (the Bot API takes the mode's name in any case).</summary>
    public bool IsHtml => string.Equals(ParseMode, "HTML", StringComparison.OrdinalIgnoreCase);

    public List<string> Edits { get; } = [];

    /// <summary>The file, for a message sent with <c>sendDocument</c> (its caption is <see cref="Text"/>).</summary>
    public FakeDocument? Document { get; init; }
}

/// <summary>A document the bot sent: its file name, type and bytes, as the multipart upload carried them.</summary>
public sealed record FakeDocument(string FileName, string? ContentType, byte[] Content);

/// <summary>One call the bot made, for asserting on timing and order; <paramref name="InsideRetryWindow"/> when it came while a 429's <c>retry_after</c> still held.</summary>
public sealed record FakeCall(string Method, DateTimeOffset At, int Status, long? ChatId, bool InsideRetryWindow = false);
