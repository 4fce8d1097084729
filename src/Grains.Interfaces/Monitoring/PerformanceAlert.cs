namespace Assistant.Monitoring;

[GenerateSerializer, Alias("Assistant.Monitoring.AlertSeverity")]
public enum AlertSeverity
{
    /// <summary>Logged.</summary>
    Low,

    /// <summary>Logged and sent to the alert webhook and Telegram admins.</summary>
    Medium,

    /// <summary>As medium.</summary>
    High,

    /// <summary>As high, and an automatic restart is requested.</summary>
    Critical,
}

/// <summary>A threshold crossed on a silo (or by the cluster's health score).</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.PerformanceAlert")]
public sealed record class PerformanceAlert(
    [property: Id(0)] string AlertType,
    [property: Id(1)] AlertSeverity Severity,
    [property: Id(2)] string Message,
    [property: Id(3)] DateTimeOffset Timestamp,
    [property: Id(4)] string Silo,
    [property: Id(5)] ResourceSnapshot? Snapshot,
    [property: Id(6)] string RecommendedAction);
