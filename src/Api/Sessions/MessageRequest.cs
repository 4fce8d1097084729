namespace Assistant.Api.Sessions;

/// <summary>The body of <c>POST /sessions/{id}/messages</c>.</summary>
public sealed record MessageRequest(string? Text);
