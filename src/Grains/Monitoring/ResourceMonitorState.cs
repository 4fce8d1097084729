namespace Assistant.Monitoring;

/// <summary>What the monitor keeps across failovers; the sample history stays in memory.</summary>
[GenerateSerializer, Alias("Assistant.Monitoring.ResourceMonitorState")]
public sealed class ResourceMonitorState
{
    [Id(0)]
    public long EmergencyCleanups { get; set; }

    /// <summary>When each alert (type@silo) was last delivered, for the cooldown.</summary>
    [Id(1)]
    public Dictionary<string, DateTimeOffset> AlertDeliveries { get; set; } = [];

    [Id(2)]
    public List<RestartRequest> RestartRequests { get; set; } = [];

    [Id(3)]
    public List<PerformanceAlert> RecentAlerts { get; set; } = [];

    [Id(4)]
    public DateTimeOffset? LastDailyRun { get; set; }

    public const int RecentLimit = 50;
}
