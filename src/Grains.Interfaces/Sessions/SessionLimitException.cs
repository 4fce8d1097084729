namespace Assistant.Sessions;

/// <summary>As many sessions as <c>Sessions:MaxActive</c> allows are active: a new one is not started now.</summary>
[GenerateSerializer, Alias("Assistant.Sessions.SessionLimitException")]
public sealed class SessionLimitException(string message) : Exception(message);
