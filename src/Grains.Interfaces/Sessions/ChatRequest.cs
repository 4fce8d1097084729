namespace Assistant.Sessions;

/// <summary>A user's message to a session.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Sessions.ChatRequest")]
public sealed record class ChatRequest([property: Id(0)] string Text);
