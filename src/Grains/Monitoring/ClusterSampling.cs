using Assistant.Silos;
using Microsoft.Extensions.Logging;

namespace Assistant.Monitoring;

/// <summary>
/// The monitor's reach into the silos: one snapshot from each (in parallel, each bounded), each
/// silo's recent CPU for the sustained-CPU rule, and pushing the monitor's decisions back out.
/// </summary>
internal sealed partial class ClusterSampling(ISiloAgents agents, MonitoringOptions options, ILogger logger)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, Queue<(DateTimeOffset At, double Cpu)>> _cpu = [];

    /// <summary>A snapshot of every silo that answers, by name; CPU over about <paramref name="cpuWindow"/>.</summary>
    public async Task<List<ResourceSnapshot>> SampleAllAsync(TimeSpan cpuWindow)
    {
        var silos = await agents.ActiveSilosAsync();
        var samples = await Task.WhenAll(silos.Select(s => CallAsync(s, a => a.SampleAsync(cpuWindow))));
        return [.. samples.Where(r => r.Answered).Select(r => r.Value!).OrderBy(s => s.Silo, StringComparer.Ordinal)];
    }

    /// <summary>The silo's earlier CPU samples of health cycles (oldest first), then records this one.</summary>
    public List<(DateTimeOffset At, double Cpu)> CpuHistory(ResourceSnapshot snapshot)
    {
        if (!_cpu.TryGetValue(snapshot.Silo, out var samples))
        {
            _cpu[snapshot.Silo] = samples = new Queue<(DateTimeOffset, double)>();
        }

        var earlier = samples.ToList();
        samples.Enqueue((snapshot.Timestamp, snapshot.CpuPercent));
        var keep = snapshot.Timestamp - TimeSpan.FromSeconds(options.CpuSustainedSeconds + (2 * options.HealthIntervalSeconds));
        while (samples.Count > 0 && samples.Peek().At < keep)
        {
            samples.Dequeue();
        }

        return earlier;
    }

    /// <summary>Tells every silo the monitor's throttling and emergency decision and the health score.</summary>
    /// <param name="snapshots">This cycle's snapshots: each silo hears how many sessions the others hold (the session cap counts them).</param>
    public async Task PushPressureAsync(bool throttling, bool emergency, double score, IReadOnlyList<ResourceSnapshot> snapshots)
    {
        var silos = await agents.ActiveSilosAsync();
        var total = snapshots.Sum(s => s.ActiveSessions);
        await Task.WhenAll(silos.Select(s => CallAsync(s, async a =>
        {
            await a.ApplyPressureAsync(throttling, emergency, score, total - snapshots.Where(x => x.Silo == s.Name).Sum(x => x.ActiveSessions));
            return true;
        })));
    }

    /// <summary>Calls each chosen silo's agent; a silo that does not answer in time is logged and left out.</summary>
    public async Task<List<T>> OnEachAsync<T>(Func<SiloInfo, bool> chosen, Func<ISiloAgent, Task<T>> call)
    {
        var silos = await agents.ActiveSilosAsync();
        var results = await Task.WhenAll(silos.Where(chosen).Select(s => CallAsync(s, call)));
        return [.. results.Where(r => r.Answered).Select(r => r.Value!)];
    }

    private async Task<(bool Answered, T? Value)> CallAsync<T>(SiloInfo silo, Func<ISiloAgent, Task<T>> call)
    {
        try
        {
            return (true, await call(agents.On(silo.Address)).WaitAsync(CallTimeout));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSiloUnreachable(logger, silo.Name, ex.Message);
            return (false, default);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitor: silo {Silo} did not answer ({Reason})")]
    private static partial void LogSiloUnreachable(ILogger logger, string silo, string reason);
}
