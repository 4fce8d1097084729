namespace Assistant.Monitoring;

/// <summary>
/// The operations guide's health score, exactly:
/// memory_health = max(0, 100 - memory_percent * 1.5), cpu_health = max(0, 100 - cpu_percent * 1.2),
/// session_health = max(0, 100 - session_load * 100), score = 0.4 memory + 0.3 cpu + 0.3 session.
/// </summary>
public static class HealthScore
{
    public static double MemoryHealth(double memoryPercent) => Math.Max(0, 100 - (memoryPercent * 1.5));

    public static double CpuHealth(double cpuPercent) => Math.Max(0, 100 - (cpuPercent * 1.2));

    public static double SessionHealth(double sessionLoad) => Math.Max(0, 100 - (sessionLoad * 100));

    /// <param name="memoryPercent">Memory utilisation against the limit, in percent.</param>
    /// <param name="cpuPercent">CPU in percent.</param>
    /// <param name="sessionLoad">Active sessions divided by the session capacity (0.8 is 80 %).</param>
    public static double Compute(double memoryPercent, double cpuPercent, double sessionLoad) =>
        Math.Round((0.4 * MemoryHealth(memoryPercent)) + (0.3 * CpuHealth(cpuPercent)) + (0.3 * SessionHealth(sessionLoad)), 1);

    public static double For(ResourceSnapshot snapshot, int sessionCapacity) =>
        Compute(snapshot.MemoryUtilizationPercent, snapshot.CpuPercent, (double)snapshot.ActiveSessions / sessionCapacity);

    /// <summary>
    /// The cluster's figures from its silos: memory and sessions summed; CPU and memory utilisation
    /// averaged; session load against the capacity of all silos together.
    /// </summary>
    public static ClusterResources Cluster(IReadOnlyList<ResourceSnapshot> silos, int sessionCapacity)
    {
        if (silos.Count == 0)
        {
            return new ClusterResources(0, 0, 0, 0, 0, 0);
        }

        var sessions = silos.Sum(s => s.ActiveSessions);
        return new ClusterResources(
            Math.Round(silos.Sum(s => s.MemoryMb), 1),
            Math.Round(silos.Average(s => s.CpuPercent), 1),
            sessions,
            Math.Round(silos.Average(s => s.MemoryUtilizationPercent), 1),
            Math.Round(100.0 * sessions / (sessionCapacity * silos.Count), 1),
            silos.Count);
    }

    /// <summary>
    /// The cluster as one snapshot (silo <c>cluster</c>), for the alerts that concern it: memory,
    /// sessions and network bytes summed; CPU and utilisation averaged; processes and disk the highest.
    /// </summary>
    public static ResourceSnapshot ClusterSnapshot(IReadOnlyList<ResourceSnapshot> silos, DateTimeOffset at) => silos.Count == 0
        ? new ResourceSnapshot(AlertRules.ClusterSilo, at, 0, 0, 0, 0, 0, new NetworkIo(0, 0), 0)
        : new ResourceSnapshot(
            AlertRules.ClusterSilo,
            at,
            Math.Round(silos.Sum(s => s.MemoryMb), 1),
            Math.Round(silos.Average(s => s.CpuPercent), 1),
            silos.Sum(s => s.ActiveSessions),
            silos.Max(s => s.TotalProcesses),
            silos.Max(s => s.DiskUsagePercent),
            NetworkIo.Sum(silos.Select(s => s.NetworkIoBytes)),
            Math.Round(silos.Average(s => s.MemoryUtilizationPercent), 1));

    public static double For(ClusterResources cluster) =>
        Compute(cluster.MemoryUtilizationPercent, cluster.CpuPercent, cluster.SessionLoadPercent / 100);
}
