namespace Assistant.Api.Health;

/// <summary>The body of <c>GET /health</c>: <c>{"status":"healthy","telegram":"disabled"}</c>.</summary>
public sealed record HealthResponse(string Status, string Telegram, string? Reason = null);
