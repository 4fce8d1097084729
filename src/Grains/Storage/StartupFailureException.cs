namespace Assistant.Storage;

/// <summary>
/// Start-up cannot go on; the message is written for the operator and names the setting or
/// file to look at. The process prints it on one line and exits without touching data.
/// </summary>
public sealed class StartupFailureException(string message, Exception? inner = null) : Exception(message, inner);
