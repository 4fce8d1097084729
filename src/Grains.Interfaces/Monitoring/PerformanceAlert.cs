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

/// <summary>
/// A threshold crossed on a silo (or by the cluster), in the operations guide's shape:
/// <c>resource_snapshot</c> is the snapshot of the silo it concerns, or for a cluster-wide alert
/// (<c>health_degraded</c>, <c>memory_growth</c>) the cluster's (silo <c>cluster</c>: memory,
/// sessions and network summed, CPU and utilisation averaged).
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.PerformanceAlert")]
public sealed record class PerformanceAlert(
    [property: Id(0)] string AlertType,
    [property: Id(1)] AlertSeverity Severity,
    [property: Id(2)] string Message,
    [property: Id(3)] DateTimeOffset Timestamp,
    [property: Id(4)] string Silo,
    [property: Id(5)] ResourceSnapshot? ResourceSnapshot,
    [property: Id(6)] string RecommendedAction);
