namespace Assistant.Sessions;

/// <summary>The service is in maintenance mode and does not start new conversations.</summary>
[GenerateSerializer, Alias("Assistant.Sessions.MaintenanceModeException")]
public sealed class MaintenanceModeException(string message) : Exception(message);
