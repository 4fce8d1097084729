namespace Assistant.Api.Health;

/// <summary>
/// The body of <c>GET /health</c>: <c>{"status":"healthy","telegram":"disabled"}</c>; <c>reason</c> when
/// unhealthy, <c>maintenance</c> (with its message) while in maintenance mode, <c>restarting</c> while this silo drains.
/// </summary>
public sealed record HealthResponse(string Status, string Telegram, string? Reason = null, bool? Maintenance = null, string? MaintenanceMessage = null, bool? Restarting = null);
