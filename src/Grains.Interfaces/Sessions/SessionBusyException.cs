namespace Assistant.Sessions;

/// <summary>The session already has as many messages waiting as it accepts.</summary>
[GenerateSerializer, Alias("Assistant.Sessions.SessionBusyException")]
public sealed class SessionBusyException(string message) : Exception(message);
