namespace Assistant.Sessions;

/// <summary>
/// The outcome of one exchange. When the model failed or the reply was cancelled,
/// <see cref="Reply"/> is the apology shown to the user and <see cref="Failure"/> names the kind.
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Sessions.ChatReply")]
public sealed record class ChatReply(
    [property: Id(0)] string Reply,
    [property: Id(1)] int MessageCount,
    [property: Id(2)] long ResponseMs,
    [property: Id(3)] string? Failure = null);
