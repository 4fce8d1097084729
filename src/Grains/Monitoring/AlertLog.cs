using Microsoft.Extensions.Logging;

namespace Assistant.Monitoring;

/// <summary>
/// The log line of every alert raised, whatever raised it and whatever its level. Each carries a
/// word the operations guide's resource grep looks for (<c>grep "emergency\|critical\|warning"</c>,
/// which is case-sensitive): a critical alert says critical, every other one says warning.
/// </summary>
internal static partial class AlertLog
{
    public static void Raised(ILogger logger, PerformanceAlert alert)
    {
        if (alert.Severity == AlertSeverity.Critical)
        {
            LogCritical(logger, alert.AlertType, alert.Message);
        }
        else
        {
            LogWarning(logger, alert.Severity.ToString().ToLowerInvariant(), alert.AlertType, alert.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert ({Severity}) {AlertType} [warning]: {Message}")]
    private static partial void LogWarning(ILogger logger, string severity, string alertType, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert (critical) {AlertType} [critical]: {Message}")]
    private static partial void LogCritical(ILogger logger, string alertType, string message);
}
