using Microsoft.Extensions.Logging;

namespace Assistant.Monitoring;

/// <summary>
/// Emergency mode and CPU throttling, each switched with hysteresis from the health cycle's
/// samples and kept in the monitor's stored state, and the cleanups they call for: emergency
/// cleanup (at most once per cooldown) while in emergency mode, and inactive-session cleanup on
/// silos over the session load. Keeps no state of its own.
/// </summary>
internal sealed partial class PressureModes(MonitoringOptions options, Metrics.AssistantMetrics metrics, ILogger logger)
{
    /// <summary>Switches the modes in <paramref name="state"/>; true when either changed.</summary>
    public bool Decide(ResourceMonitorState state, IReadOnlyList<ResourceSnapshot> snapshots)
    {
        var memory = snapshots.Max(s => s.MemoryMb);
        var cpu = snapshots.Max(s => s.CpuPercent);
        var emergency = state.Emergency ? memory >= options.EmergencyExitMemoryMb : memory > options.EmergencyMemoryMb;
        var throttling = state.Throttling ? cpu >= options.ThrottleExitCpuPercent : cpu > options.ThrottleCpuPercent;
        if (emergency != state.Emergency)
        {
            if (emergency)
            {
                LogEmergencyOn(logger, memory, options.EmergencyMemoryMb);
            }
            else
            {
                LogEmergencyOff(logger, memory, options.EmergencyExitMemoryMb);
            }
        }

        if (throttling != state.Throttling)
        {
            if (throttling)
            {
                LogThrottlingOn(logger, cpu, options.ThrottleCpuPercent);
            }
            else
            {
                LogThrottlingOff(logger, cpu, options.ThrottleExitCpuPercent);
            }
        }

        var changed = emergency != state.Emergency || throttling != state.Throttling;
        (state.Emergency, state.Throttling) = (emergency, throttling);
        return changed;
    }

    /// <summary>Runs the cleanups the modes and the session load call for, through <paramref name="cleanup"/>; true when <paramref name="state"/> changed.</summary>
    public async Task<bool> RelieveAsync(ResourceMonitorState state, IReadOnlyList<ResourceSnapshot> snapshots, DateTimeOffset now, Func<CleanupPlan, Task> cleanup)
    {
        var dirty = false;
        var idle = TimeSpan.FromMinutes(options.EmergencyIdleMinutes);
        if (state.Emergency && (state.LastEmergencyCleanup is not { } last || now - last >= TimeSpan.FromSeconds(options.EmergencyCleanupCooldownSeconds)))
        {
            state.LastEmergencyCleanup = now;
            await cleanup(CleanupPlan.Emergency(idle, snapshots.Where(s => s.MemoryMb > options.EmergencyExitMemoryMb).Select(s => s.Silo).ToHashSet()));
            state.EmergencyCleanups++;
            metrics.EmergencyCleanup();
            dirty = true;
        }

        var crowded = snapshots.Where(s => 100.0 * s.ActiveSessions / options.SessionCapacity > options.SessionLoadPercent).Select(s => s.Silo).ToHashSet();
        if (crowded.Count > 0)
        {
            await cleanup(CleanupPlan.SessionLoad(idle, crowded));
        }

        return dirty;
    }

    // Each names the guide's words (emergency, warning) in lower case: its resource grep is case-sensitive.
    [LoggerMessage(Level = LogLevel.Warning, Message = "🔄 Emergency mode on: the highest silo memory, {MemoryMb} MB, is over the emergency level of {Level} MB; emergency cleanup runs until it falls back")]
    private static partial void LogEmergencyOn(ILogger logger, double memoryMb, double level);

    [LoggerMessage(Level = LogLevel.Warning, Message = "🔄 Emergency mode off: the highest silo memory, {MemoryMb} MB, is under the emergency exit level of {Level} MB")]
    private static partial void LogEmergencyOff(ILogger logger, double memoryMb, double level);

    [LoggerMessage(Level = LogLevel.Warning, Message = "🔄 CPU throttling on: the highest silo CPU, {Cpu} %, is over the warning level of {Level} %; chat turns are limited per silo")]
    private static partial void LogThrottlingOn(ILogger logger, double cpu, double level);

    [LoggerMessage(Level = LogLevel.Warning, Message = "🔄 CPU throttling off: the highest silo CPU, {Cpu} %, is back under {Level} %; the warning is over")]
    private static partial void LogThrottlingOff(ILogger logger, double cpu, double level);
}
