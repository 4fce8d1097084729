namespace Assistant.Memory;

/// <summary>The model's summary of the turns pruned from a conversation's window, sent at the head of every later request.</summary>
[GenerateSerializer, Alias("Assistant.Sessions.ConversationSummary")]
public sealed class ConversationSummary
{
    [Id(0)]
    public string Text { get; set; } = "";

    /// <summary>The token estimate of <see cref="Text"/>.</summary>
    [Id(1)]
    public int Tokens { get; set; }

    /// <summary>Messages it summarises, over all the summaries it replaced.</summary>
    [Id(2)]
    public long Covers { get; set; }

    [Id(3)]
    public DateTimeOffset UpdatedAt { get; set; }
}
