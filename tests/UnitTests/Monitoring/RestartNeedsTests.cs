using Assistant.Monitoring;
using Assistant.Restarts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Assistant.UnitTests.Monitoring;

/// <summary>Which silos the monitor asks a restart for: only where a restart can help.</summary>
public sealed class RestartNeedsTests
{
    private static readonly MonitoringOptions Monitoring = new();

    private static IReadOnlyList<RestartCommand> Needs(RestartOptions restart, params ResourceSnapshot[] snapshots)
    {
        var rules = new AlertRules(Monitoring);
        var alerts = snapshots.SelectMany(s => rules.ForSilo(s, [])).ToList();
        var policy = new RestartPolicy(null!, null!, restart, Monitoring, NullLogger.Instance);
        return policy.Needs(snapshots, alerts);
    }

    [Fact]
    public void A_full_disk_needs_no_restart()
    {
        Assert.Empty(Needs(new RestartOptions(), HealthScoreTests.Snapshot("a", disk: 99)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Over_the_memory_limit_a_restart_is_needed_whatever_else_is_open(bool onCriticalAlerts)
    {
        var need = Assert.Single(Needs(new RestartOptions { OnCriticalAlerts = onCriticalAlerts }, HealthScoreTests.Snapshot("a", memoryMb: 1100, disk: 99)));
        Assert.Equal(("a", RestartCommand.MemoryLimit), (need.Silo, need.Source));
    }

    [Fact]
    public void Critical_memory_under_the_limit_restarts_only_with_OnCriticalAlerts()
    {
        var need = Assert.Single(Needs(new RestartOptions(), HealthScoreTests.Snapshot("a", memoryMb: 950), HealthScoreTests.Snapshot("b", memoryMb: 300)));
        Assert.Equal(("a", RestartCommand.CriticalAlert), (need.Silo, need.Source));
        Assert.StartsWith("memory_critical: ", need.Reason);
        Assert.Empty(Needs(new RestartOptions { OnCriticalAlerts = false }, HealthScoreTests.Snapshot("a", memoryMb: 950)));
    }
}
