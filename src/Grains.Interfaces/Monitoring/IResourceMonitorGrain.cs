namespace Assistant.Monitoring;

/// <summary>
/// The cluster's one ResourceMonitor (key 0): the health cycle (grain timer), the optimisation,
/// cleanup and daily cycles (reminders), the health score, alerts and emergency mode.
/// </summary>
[Alias("Assistant.Monitoring.IResourceMonitorGrain")]
public interface IResourceMonitorGrain : IGrainWithIntegerKey
{
    [Alias("EnsureRunning")]
    Task EnsureRunningAsync();

    /// <summary>The latest figures; with <paramref name="refresh"/> a health cycle runs first.</summary>
    [Alias("GetStatus")]
    Task<MonitorStatus> GetStatusAsync(int history, bool refresh);

    /// <summary>Runs a cleanup now: idle sessions deactivated, contexts pruned, old contexts cleared.</summary>
    [Alias("Cleanup")]
    Task<CleanupResult> CleanupAsync(string reason);

    /// <summary>A few lines for the model's health tool and the Telegram /status command.</summary>
    [Alias("Summary")]
    Task<string> GetSummaryAsync();
}
