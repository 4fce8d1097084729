using Assistant.Monitoring;
using Assistant.Sessions;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>Figures a test sets; the sampler reports them (sessions come from the real registry unless set).</summary>
public sealed class SamplerFigures
{
    public double MemoryMb { get; set; } = 100;

    /// <summary>The CPU figure reported as is, unless <see cref="ProcessorTime"/> is set.</summary>
    public double CpuPercent { get; set; } = 5;

    /// <summary>
    /// When set, the process's total CPU time as the test scripts it: the figure then comes from the
    /// service's own <see cref="CpuMeter"/> over the window each caller asks for (two cores).
    /// </summary>
    public TimeSpan? ProcessorTime { get; set; }

    public int? ActiveSessions { get; set; }

    public double DiskUsagePercent { get; set; } = 40;
}

/// <summary>Memory, CPU, disk and (when set) sessions as the test sets them; the replies are the silo's own (<see cref="ReplyWindow"/>).</summary>
public sealed class SettableSampler(SamplerFigures figures, LocalSessionRegistry sessions, ILocalSiloDetails silo, TimeProvider time, double memoryLimitMb, ReplyWindow? replies = null) : IResourceSampler
{
    public const int Processors = 2;

    private readonly CpuMeter _meter = new(() => figures.ProcessorTime ?? TimeSpan.Zero, time, Processors, TimeSpan.FromHours(3));

    public ResourceSnapshot Sample(TimeSpan cpuWindow) => new(
        silo.Name,
        time.GetUtcNow(),
        figures.MemoryMb,
        figures.ProcessorTime is null ? figures.CpuPercent : _meter.PercentOver(cpuWindow),
        figures.ActiveSessions ?? sessions.Count,
        100,
        figures.DiskUsagePercent,
        new NetworkIo(1000, 2000),
        Math.Round(100 * figures.MemoryMb / memoryLimitMb, 1),
        replies?.Figures());
}
