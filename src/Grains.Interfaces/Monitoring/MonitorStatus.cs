namespace Assistant.Monitoring;

/// <summary>What the monitor knows after its last health cycle.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.MonitorStatus")]
public sealed record class MonitorStatus(
    [property: Id(0)] ClusterResources Current,
    [property: Id(1)] double HealthScore,
    [property: Id(2)] IReadOnlyList<PerformanceAlert> Alerts,
    [property: Id(3)] IReadOnlyList<string> Recommendations,
    [property: Id(4)] bool EmergencyMode,
    [property: Id(5)] bool CpuThrottling,
    [property: Id(6)] long EmergencyCleanups,
    [property: Id(7)] IReadOnlyList<SiloHealth> Silos,
    [property: Id(8)] IReadOnlyList<HealthSample> History,
    [property: Id(9)] IReadOnlyList<PerformanceAlert> RecentAlerts,
    [property: Id(10)] IReadOnlyList<RestartRequest> RestartRequests,
    [property: Id(11)] DateTimeOffset? LastCycleAt,
    [property: Id(12)] long Cycles,
    [property: Id(13)] string MonitorSilo,
    [property: Id(14)] CleanupResult? LastCleanup,
    [property: Id(15)] AlertDeliveryStatus AlertDelivery,
    [property: Id(16)] IReadOnlyList<GuideBaseline>? GuideBaselines = null);

/// <summary>The cluster's figures: memory and sessions summed, CPU and utilisation averaged over silos.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.ClusterResources")]
public sealed record class ClusterResources(
    [property: Id(0)] double MemoryMb,
    [property: Id(1)] double CpuPercent,
    [property: Id(2)] int ActiveSessions,
    [property: Id(3)] double MemoryUtilizationPercent,
    [property: Id(4)] double SessionLoadPercent,
    [property: Id(5)] int Silos);

[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.SiloHealth")]
public sealed record class SiloHealth(
    [property: Id(0)] string Silo,
    [property: Id(1)] ResourceSnapshot Snapshot,
    [property: Id(2)] double HealthScore,
    [property: Id(3)] double SessionLoadPercent);

[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.HealthSample")]
public sealed record class HealthSample(
    [property: Id(0)] DateTimeOffset Timestamp,
    [property: Id(1)] double HealthScore,
    [property: Id(2)] double MemoryMb,
    [property: Id(3)] double CpuPercent,
    [property: Id(4)] int ActiveSessions,
    [property: Id(5)] int Replies = 0,
    [property: Id(6)] double ReplyP50Ms = 0,
    [property: Id(7)] double ReplyP95Ms = 0,
    [property: Id(8)] IReadOnlyDictionary<string, long>? Errors = null,
    [property: Id(9)] int Silos = 0);

/// <summary>A restart the monitor asked for (the memory limit or a critical alert a restart can fix), and what came of it.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.RestartRequest")]
public sealed record class RestartRequest(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Silo,
    [property: Id(2)] string Reason,
    [property: Id(3)] string Outcome);
