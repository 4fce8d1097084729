namespace Assistant.Sessions;

/// <summary>An <c>Idempotency-Key</c> already used for a different message in this session (HTTP 422).</summary>
[GenerateSerializer, Alias("Assistant.Sessions.IdempotencyKeyReusedException")]
public sealed class IdempotencyKeyReusedException(string message) : Exception(message);
