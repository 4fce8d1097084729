using Assistant.Monitoring;
using Assistant.Sessions;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>Figures a test sets; the sampler reports them (sessions come from the real registry unless set).</summary>
public sealed class SamplerFigures
{
    public double MemoryMb { get; set; } = 100;

    public double CpuPercent { get; set; } = 5;

    public int? ActiveSessions { get; set; }

    public double DiskUsagePercent { get; set; } = 40;
}

public sealed class SettableSampler(SamplerFigures figures, LocalSessionRegistry sessions, ILocalSiloDetails silo, TimeProvider time, double memoryLimitMb) : IResourceSampler
{
    public ResourceSnapshot Sample() => new(
        silo.Name,
        time.GetUtcNow(),
        figures.MemoryMb,
        figures.CpuPercent,
        figures.ActiveSessions ?? sessions.Count,
        100,
        figures.DiskUsagePercent,
        new NetworkIo(1000, 2000),
        Math.Round(100 * figures.MemoryMb / memoryLimitMb, 1));
}
