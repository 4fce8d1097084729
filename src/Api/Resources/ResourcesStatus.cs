using Assistant.Monitoring;

namespace Assistant.Api.Resources;

/// <summary>The body of <c>GET /resources/status</c>, in the operations guide's shape plus limits, silos and history.</summary>
public sealed record ResourcesStatus(
    HealthSection Health,
    EmergencySection Emergency,
    ResourceLimits Limits,
    IReadOnlyList<SiloHealth> Silos,
    IReadOnlyList<HealthSample> History,
    IReadOnlyList<PerformanceAlert> RecentAlerts,
    IReadOnlyList<RestartRequest> RestartRequests,
    CleanupResult? LastCleanup,
    DateTimeOffset? LastCycleAt,
    long Cycles,
    string MonitorSilo,
    AlertDeliveryStatus AlertDelivery,
    Sessions.SessionLimit SessionLimit,
    IReadOnlyList<GuideBaseline> GuideBaselines)
{
    public static ResourcesStatus From(MonitorStatus s, MonitoringOptions o, ChatAdmission admission, Sessions.SessionLimit sessionLimit) => new(
        new HealthSection(s.Current, s.HealthScore, ScoreComponents.Of(s.Current), s.Alerts, s.Recommendations),
        new EmergencySection(s.EmergencyMode, s.CpuThrottling, s.EmergencyCleanups, admission.Refused, admission.Waiting),
        ResourceLimits.From(o),
        s.Silos,
        s.History,
        s.RecentAlerts,
        s.RestartRequests,
        s.LastCleanup,
        s.LastCycleAt,
        s.Cycles,
        s.MonitorSilo,
        s.AlertDelivery,
        sessionLimit,
        s.GuideBaselines ?? []);
}

/// <summary><c>current_resources</c> is the cluster: memory and sessions summed, CPU and utilisation averaged.</summary>
public sealed record HealthSection(ClusterResources CurrentResources, double HealthScore, ScoreComponents Components, IReadOnlyList<PerformanceAlert> Alerts, IReadOnlyList<string> Recommendations);

/// <summary>The three parts of the health score as the formula computes them from <c>current_resources</c> (score = 0.4 memory + 0.3 cpu + 0.3 sessions).</summary>
public sealed record ScoreComponents(double MemoryHealth, double CpuHealth, double SessionHealth)
{
    public static ScoreComponents Of(ClusterResources c) => new(
        Math.Round(HealthScore.MemoryHealth(c.MemoryUtilizationPercent), 1),
        Math.Round(HealthScore.CpuHealth(c.CpuPercent), 1),
        Math.Round(HealthScore.SessionHealth(c.SessionLoadPercent / 100), 1));
}

/// <summary>
/// <c>throttled_requests</c>: HTTP chat requests this silo refused with 429 while throttling;
/// <c>waiting_turns</c>: chat turns (HTTP and Telegram) waiting on this silo for their turn now.
/// </summary>
public sealed record EmergencySection(bool EmergencyMode, bool CpuThrottling, long EmergencyCleanups, long ThrottledRequests, int WaitingTurns);

public sealed record ResourceLimits(
    double MemoryLimitMb,
    int SessionCapacity,
    double MemoryWarningMb,
    double MemoryCriticalMb,
    double EmergencyMemoryMb,
    double HealthScoreWarning,
    double CpuSustainedPercent,
    double CpuSustainedSeconds,
    double CpuHighPercent,
    double ThrottleCpuPercent,
    double SessionLoadPercent,
    double DiskWarningPercent)
{
    public static ResourceLimits From(MonitoringOptions o) => new(
        o.MemoryLimitMb, o.SessionCapacity, o.MemoryWarningMb, o.MemoryCriticalMb, o.EmergencyMemoryMb, o.HealthScoreWarning,
        o.CpuSustainedPercent, o.CpuSustainedSeconds, o.CpuHighPercent, o.ThrottleCpuPercent, o.SessionLoadPercent, o.DiskWarningPercent);
}
