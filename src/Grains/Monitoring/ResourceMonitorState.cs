namespace Assistant.Monitoring;

/// <summary>
/// What the monitor keeps across moves to another silo: the modes it decided (so hysteresis goes
/// on where it left off), the alert cooldowns, when a refused restart may be asked for again, and
/// the recent records. The sample history stays in memory.
/// </summary>
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

    [Id(5)]
    public bool Emergency { get; set; }

    [Id(6)]
    public bool Throttling { get; set; }

    [Id(7)]
    public DateTimeOffset? LastEmergencyCleanup { get; set; }

    /// <summary>Per silo: a restart that was refused or not made is not asked for again before this.</summary>
    [Id(8)]
    public Dictionary<string, DateTimeOffset> RestartNotBefore { get; set; } = [];

    public const int RecentLimit = 50;

    public void Record(PerformanceAlert alert) => AddBounded(RecentAlerts, alert);

    public void Record(RestartRequest request) => AddBounded(RestartRequests, request);

    private static void AddBounded<T>(List<T> list, T item)
    {
        list.Add(item);
        if (list.Count > RecentLimit)
        {
            list.RemoveAt(0);
        }
    }
}
