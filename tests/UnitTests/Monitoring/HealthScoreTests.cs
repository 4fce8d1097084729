using Assistant.Monitoring;

namespace Assistant.UnitTests.Monitoring;

public sealed class HealthScoreTests
{
    [Fact]
    public void The_guides_example_scores_47_2_by_its_own_formula_not_87_5()
    {
        // 345.2 MB of a 500 MB limit is 69 %: memory_health = max(0, 100 - 69.04 * 1.5) = 0.
        // CPU 25.5 %: cpu_health = 100 - 30.6 = 69.4. 12 of 100 sessions: session_health = 88.
        var memoryPercent = 100 * 345.2 / 500;

        var score = HealthScore.Compute(memoryPercent, 25.5, 12 / 100.0);

        Assert.Equal(0, HealthScore.MemoryHealth(memoryPercent));
        Assert.Equal(69.4, HealthScore.CpuHealth(25.5), 6);
        Assert.Equal(88, HealthScore.SessionHealth(0.12), 6);
        Assert.Equal(47.2, score);
        Assert.NotEqual(87.5, score);
    }

    [Theory]
    [InlineData(0, 0, 0, 100)]
    [InlineData(20, 10, 0.1, 81.4)]
    [InlineData(100, 100, 1, 0)]
    [InlineData(200, 200, 3, 0)]
    public void Each_part_is_floored_at_zero_and_weighted_40_30_30(double memory, double cpu, double load, double expected) =>
        Assert.Equal(expected, HealthScore.Compute(memory, cpu, load));

    [Fact]
    public void The_cluster_sums_memory_and_sessions_and_averages_cpu_and_utilisation()
    {
        var a = Snapshot("a", memoryMb: 320, cpu: 10, sessions: 30); // 40 % of the 800 MB limit
        var b = Snapshot("b", memoryMb: 480, cpu: 30, sessions: 50); // 60 %

        var cluster = HealthScore.Cluster([a, b], sessionCapacity: 100);

        Assert.Equal(800, cluster.MemoryMb);
        Assert.Equal(20, cluster.CpuPercent);
        Assert.Equal(80, cluster.ActiveSessions);
        Assert.Equal(50, cluster.MemoryUtilizationPercent);
        Assert.Equal(40, cluster.SessionLoadPercent);
        Assert.Equal(HealthScore.Compute(50, 20, 0.4), HealthScore.For(cluster));
    }

    internal static ResourceSnapshot Snapshot(string silo, double memoryMb = 100, double cpu = 5, int sessions = 0, double disk = 40, DateTimeOffset? at = null) =>
        new(silo, at ?? new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero), memoryMb, cpu, sessions, 100, disk, new NetworkIo(0, 0), Math.Round(100 * memoryMb / new MonitoringOptions().MemoryLimitMb, 1));
}
