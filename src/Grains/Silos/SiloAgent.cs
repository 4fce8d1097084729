using System.Runtime;
using Assistant.Monitoring;
using Assistant.Sessions;
using Assistant.Telegram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Assistant.Silos;

/// <summary>This silo's agent: answers, for the cluster, what only this silo knows or can do.</summary>
internal sealed partial class SiloAgent(
    GrainId id,
    Silo silo,
    ILoggerFactory loggerFactory,
    ILocalSiloDetails details,
    LocalSessionRegistry sessions,
    TelegramCounters telegram,
    IResourceSampler sampler,
    PressureState pressure,
    Maintenance.ServiceMode mode,
    Restarts.RestartCoordinator restarts,
    Restarts.SupervisionDetector supervision,
    Maintenance.DiskRelief disk,
    Logs.LogLifecycle logs,
    IGrainFactory grains,
    [FromKeyedServices(Clock.Key)] TimeProvider time) : GrainService(id, silo, loggerFactory), ISiloAgent
{
    private const int Parallelism = 32;
    private readonly ILogger _logger = loggerFactory.CreateLogger<SiloAgent>();

    public Task<SiloSessionReport> GetSessionReportAsync(int largest) =>
        Task.FromResult(sessions.Report(details.Name, largest, time.GetUtcNow()));

    public Task<TelegramSiloCounters> GetTelegramCountersAsync() => Task.FromResult(telegram.Snapshot(details.Name));

    public Task<ResourceSnapshot> SampleAsync(TimeSpan cpuWindow) => Task.FromResult(sampler.Sample(cpuWindow));

    public async Task<SessionCleanup> CleanupSessionsAsync(SiloCleanupRequest request)
    {
        var (idle, pruneContexts, compactHeap) = (request.Idle, request.PruneContexts, request.CompactHeap);
        var before = Environment.WorkingSet / 1024.0 / 1024.0;
        var deactivated = 0;
        var pruned = 0;
        await Parallel.ForEachAsync(
            sessions.Snapshots.Select(s => s.SessionId).ToList(),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
            async (sessionId, _) =>
            {
                var session = grains.GetGrain<IChatSessionGrain>(sessionId);
                if (await session.DeactivateIfIdleAsync(idle))
                {
                    Interlocked.Increment(ref deactivated);
                }
                else if (pruneContexts)
                {
                    Interlocked.Add(ref pruned, (await session.ForceOptimizationAsync()).RemovedMessages);
                }
            });

        if (compactHeap)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        var after = Environment.WorkingSet / 1024.0 / 1024.0;
        LogCleanup(_logger, deactivated, pruned, before, after);
        return new SessionCleanup(details.Name, deactivated, pruned, Math.Round(before, 1), Math.Round(after, 1), compactHeap);
    }

    public async Task<int> ClearActiveContextsAsync(IReadOnlyList<string> sessionIds, TimeSpan inactivity)
    {
        var here = sessions.Snapshots.Select(s => s.SessionId).ToHashSet(StringComparer.Ordinal);
        var cleared = 0;
        foreach (var sessionId in sessionIds.Where(here.Contains))
        {
            if (await grains.GetGrain<IChatSessionGrain>(sessionId).ClearIfInactiveAsync(inactivity))
            {
                cleared++;
            }
        }

        return cleared;
    }

    public Task<string> RelieveDiskAsync(bool critical) => disk.RelieveAsync(critical);

    public Task<Maintenance.LogLifecycleReport> RunLogLifecycleAsync() => Task.Run(logs.Run); // file work, off the grain scheduler

    public Task<Restarts.Supervision> GetSupervisionAsync() => Task.FromResult(supervision.Current);

    public Task ApplyPressureAsync(bool throttling, bool emergency, double healthScore, int otherSilosSessions)
    {
        if (pressure.Throttling != throttling || pressure.Emergency != emergency)
        {
            LogPressure(_logger, throttling, emergency);
        }

        pressure.Set(throttling, emergency, healthScore, otherSilosSessions);
        return Task.CompletedTask;
    }

    public Task ApplyServiceModeAsync(Maintenance.ServiceModeState state)
    {
        mode.Apply(state);
        return Task.CompletedTask;
    }

    public Task<bool> BeginRestartAsync(long entryId, string reason, double graceSeconds) =>
        Task.FromResult(restarts.Begin(entryId, reason, TimeSpan.FromSeconds(graceSeconds)));

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Cleanup on this silo: {Deactivated} idle sessions deactivated, {Pruned} messages pruned; memory {Before:0.0} MB -> {After:0.0} MB")]
    private static partial void LogCleanup(ILogger logger, int deactivated, int pruned, double before, double after);

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Pressure on this silo: throttling {Throttling}, emergency {Emergency}")]
    private static partial void LogPressure(ILogger logger, bool throttling, bool emergency);
}
