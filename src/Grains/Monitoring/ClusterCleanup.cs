using Assistant.Sessions;
using Microsoft.Extensions.Logging;

namespace Assistant.Monitoring;

/// <summary>
/// What a cleanup does, named by the cycle that asks for it: which sessions each silo deactivates
/// (idle this long), whether it prunes the others' contexts and compacts the heap, whether old
/// contexts are cleared, and on which silos (null: all).
/// </summary>
internal sealed record CleanupPlan(string Reason, SiloCleanupRequest OnSilo, bool ClearInactive, IReadOnlySet<string>? Only)
{
    /// <summary>The 5-minute cycle: sessions idle for <c>Sessions:IdleMinutes</c> deactivated, old contexts cleared.</summary>
    public static CleanupPlan Cycle(TimeSpan idle) => new("cleanup cycle", new(idle, PruneContexts: false, CompactHeap: false), ClearInactive: true, null);

    /// <summary><c>POST /resources/cleanup</c>: everything the emergency does, on every silo, and old contexts cleared.</summary>
    public static CleanupPlan Requested(string reason, TimeSpan idle) => new(reason, new(idle, PruneContexts: true, CompactHeap: true), ClearInactive: true, null);

    public static CleanupPlan Emergency(TimeSpan idle, IReadOnlySet<string> silos) => new("emergency cleanup", new(idle, PruneContexts: true, CompactHeap: true), ClearInactive: false, silos);

    public static CleanupPlan SessionLoad(TimeSpan idle, IReadOnlySet<string> silos) => new("session load", new(idle, PruneContexts: false, CompactHeap: false), ClearInactive: false, silos);

    /// <summary>Nobody is deactivated (idle limit of a day); contexts are cut to the pressure window.</summary>
    public static CleanupPlan Optimisation(IReadOnlySet<string> silos) => new("optimisation cycle", new(TimeSpan.FromDays(1), PruneContexts: true, CompactHeap: false), ClearInactive: false, silos);
}

/// <summary>
/// Runs a <see cref="CleanupPlan"/> across the silos. Old contexts are found and marked cleared in
/// the session directory in one statement; only sessions active right now are told (by their
/// silo), so a dormant session is never activated to be cleaned and the next health cycle's
/// session count is what it was.
/// </summary>
internal sealed partial class ClusterCleanup(ClusterSampling silos, SessionDirectory directory, ChatSessionOptions sessions, MonitoringOptions options, TimeProvider time, ILogger logger)
{
    public async Task<CleanupResult> RunAsync(CleanupPlan plan)
    {
        // Contexts first: a session deactivated by the pass below would be woken again if it were told after.
        var cleared = plan.ClearInactive ? await ClearInactiveContextsAsync() : 0;
        var parts = await silos.OnEachAsync(s => plan.Only is null || plan.Only.Contains(s.Name), a => a.CleanupSessionsAsync(plan.OnSilo));
        var result = new CleanupResult(
            time.GetUtcNow(),
            plan.Reason,
            parts.Sum(p => p.SessionsDeactivated),
            parts.Sum(p => p.MessagesPruned),
            cleared,
            Math.Round(Math.Max(0, parts.Sum(p => p.MemoryBeforeMb - p.MemoryAfterMb)), 1),
            parts);
        LogCleanup(logger, plan.Reason, result.SessionsDeactivated, result.MessagesPruned, result.ContextsCleared, result.MemoryFreedMb);
        return result;
    }

    private async Task<int> ClearInactiveContextsAsync()
    {
        var inactivity = TimeSpan.FromHours(sessions.InactiveContextHours);
        var now = time.GetUtcNow();
        var ids = await directory.ClearInactiveAsync(now - inactivity, options.ClearContextsPerCycle, now);
        if (ids.Count > 0)
        {
            var active = await silos.OnEachAsync(_ => true, a => a.ClearActiveContextsAsync(ids, inactivity));
            LogContextsCleared(logger, ids.Count, active.Sum());
        }

        return ids.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Cleanup ({Reason}): {Deactivated} sessions deactivated, {Pruned} messages pruned, {Cleared} contexts cleared, {FreedMb} MB freed")]
    private static partial void LogCleanup(ILogger logger, string reason, int deactivated, int pruned, int cleared, double freedMb);

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Cleared the contexts of {Count} sessions inactive past Sessions:InactiveContextHours; {Active} of them were active and cleared now, the rest clear when they next activate")]
    private static partial void LogContextsCleared(ILogger logger, int count, int active);
}
