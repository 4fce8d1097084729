namespace Assistant.Sessions;

/// <summary>
/// A user's message to a session. With an <paramref name="IdempotencyKey"/> (the HTTP
/// <c>Idempotency-Key</c> header), a repeat of the same message within a day is answered with the
/// first reply instead of being asked again.
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Sessions.ChatRequest")]
public sealed record class ChatRequest([property: Id(0)] string Text, [property: Id(1)] string? IdempotencyKey = null);
