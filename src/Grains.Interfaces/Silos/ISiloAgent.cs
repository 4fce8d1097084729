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

    /// <summary>Takes this silo's resource snapshot now.</summary>
    [Alias("Sample")]
    Task<Assistant.Monitoring.ResourceSnapshot> SampleAsync();

    /// <summary>
    /// Deactivates this silo's sessions idle for <paramref name="idle"/>; optionally prunes the
    /// contexts of the others and compacts the GC heap (emergency cleanup).
    /// </summary>
    [Alias("CleanupSessions")]
    Task<Assistant.Monitoring.SessionCleanup> CleanupSessionsAsync(TimeSpan idle, bool pruneContexts, bool compactHeap);

    /// <summary>Applies the monitor's decision: throttle chat requests and slow streaming, emergency mode.</summary>
    [Alias("ApplyPressure")]
    Task ApplyPressureAsync(bool throttling, bool emergency);
}
