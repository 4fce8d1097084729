namespace Assistant.Fakes.Telegram;

/// <summary>A message the bot sent, as the fake Bot API recorded it, with every edit.</summary>
public sealed class FakeBotMessage
{
    public required long ChatId { get; init; }

    public required int MessageId { get; init; }

    public int? ReplyTo { get; init; }

    public required DateTimeOffset SentAt { get; init; }

    public string Text { get; set; } = "";

    public string? ParseMode { get; set; }

    public List<string> Edits { get; } = [];
}

/// <summary>One call the bot made, for asserting on timing and order.</summary>
public sealed record FakeCall(string Method, DateTimeOffset At, int Status, long? ChatId);
