namespace Assistant.Sessions;

[GenerateSerializer, Alias("Assistant.Sessions.ReplyEventKind")]
public enum ReplyEventKind
{
    /// <summary>More text of the reply.</summary>
    Delta,

    /// <summary>The reply is complete; <see cref="ReplyEvent.Reply"/> carries it whole.</summary>
    Completed,
}

/// <summary>One step of a streamed reply.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Sessions.ReplyEvent")]
public sealed record class ReplyEvent(
    [property: Id(0)] ReplyEventKind Kind,
    [property: Id(1)] string? Text = null,
    [property: Id(2)] ChatReply? Reply = null)
{
    public static ReplyEvent Delta(string text) => new(ReplyEventKind.Delta, text);

    public static ReplyEvent Completed(ChatReply reply) => new(ReplyEventKind.Completed, Reply: reply);
}
