using Assistant.Sessions;
using Orleans.Services;

namespace Assistant.Silos;

/// <summary>
/// One per silo (an Orleans grain service): what only that silo knows about itself, such as
/// the sessions it hosts. Reached through <c>ISiloAgents.On(silo)</c>.
/// </summary>
[Alias("Assistant.Silos.ISiloAgent")]
public interface ISiloAgent : IGrainService
{
    [Alias("GetSessionReport")]
    Task<SiloSessionReport> GetSessionReportAsync(int largest);

    [Alias("GetTelegramCounters")]
    Task<Assistant.Telegram.TelegramSiloCounters> GetTelegramCountersAsync();

    /// <summary>Takes this silo's resource snapshot now, its CPU figure over about <paramref name="cpuWindow"/>.</summary>
    [Alias("Sample")]
    Task<Assistant.Monitoring.ResourceSnapshot> SampleAsync(TimeSpan cpuWindow);

    /// <summary>
    /// Deactivates this silo's sessions idle for the request's idle time; as the request says,
    /// prunes the contexts of the others and compacts the GC heap (emergency cleanup).
    /// </summary>
    [Alias("CleanupSessions")]
    Task<Assistant.Monitoring.SessionCleanup> CleanupSessionsAsync(Assistant.Monitoring.SiloCleanupRequest request);

    /// <summary>
    /// Clears the contexts of those of <paramref name="sessionIds"/> that are active on this silo
    /// (the directory has already marked them cleared; a dormant one clears itself when it next
    /// activates). Activates nothing. Returns how many it cleared.
    /// </summary>
    [Alias("ClearActiveContexts")]
    Task<int> ClearActiveContextsAsync(IReadOnlyList<string> sessionIds, TimeSpan inactivity);

    /// <summary>
    /// Frees disk on this silo's host: finished tasks past retention and the WAL always; when
    /// <paramref name="critical"/>, also every backup but the newest and the rolled log files. Says what it freed.
    /// </summary>
    [Alias("RelieveDisk")]
    Task<string> RelieveDiskAsync(bool critical);

    /// <summary>Runs the log lifecycle on this silo's log folder (rotate, compress, move to cold storage, delete) and says what it did.</summary>
    [Alias("RunLogLifecycle")]
    Task<Assistant.Maintenance.LogLifecycleReport> RunLogLifecycleAsync();

    /// <summary>Whether something will start this silo again after it exits with code 75.</summary>
    [Alias("GetSupervision")]
    Task<Assistant.Restarts.Supervision> GetSupervisionAsync();

    /// <summary>
    /// Applies the monitor's decision (throttle chat requests and slow streaming, emergency mode)
    /// and tells this silo the cluster's health score, which its <c>/metrics</c> shows.
    /// </summary>
    [Alias("ApplyPressure")]
    Task ApplyPressureAsync(bool throttling, bool emergency, double healthScore, int otherSilosSessions);

    /// <summary>Applies maintenance mode on this silo.</summary>
    [Alias("ApplyServiceMode")]
    Task ApplyServiceModeAsync(Assistant.Maintenance.ServiceModeState mode);

    /// <summary>
    /// Starts a graceful restart of this silo: stop taking new chat requests, let replies in
    /// progress finish for up to <paramref name="graceSeconds"/>, leave the cluster and exit with
    /// the restart exit code (75) for the supervisor to start it again.
    /// </summary>
    [Alias("BeginRestart")]
    Task<bool> BeginRestartAsync(long entryId, string reason, double graceSeconds);
}
