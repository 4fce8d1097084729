using Assistant.Monitoring;

namespace Assistant.UnitTests.Monitoring;

public sealed class AlertRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly AlertRules _rules = new(new MonitoringOptions());

    [Theory]
    [InlineData(300, null, null)]
    [InlineData(400, "memory_elevated", AlertSeverity.Low)]
    [InlineData(850, "memory_warning", AlertSeverity.High)]
    [InlineData(950, "memory_critical", AlertSeverity.Critical)]
    public void Memory_thresholds_follow_the_guide(double memoryMb, string? type, AlertSeverity? severity)
    {
        var alerts = _rules.ForSilo(HealthScoreTests.Snapshot("s", memoryMb: memoryMb), []).ToList();

        if (type is null)
        {
            Assert.Empty(alerts);
        }
        else
        {
            var alert = Assert.Single(alerts);
            Assert.Equal((type, severity), (alert.AlertType, (AlertSeverity?)alert.Severity));
            Assert.StartsWith("s: ", alert.Message);
            Assert.NotEmpty(alert.RecommendedAction);
        }
    }

    [Fact]
    public void Cpu_over_85_is_a_high_spike()
    {
        var alert = Assert.Single(_rules.ForSilo(HealthScoreTests.Snapshot("s", cpu: 90), []));
        Assert.Equal(("cpu_spike", AlertSeverity.High), (alert.AlertType, alert.Severity));
    }

    [Fact]
    public void Cpu_over_80_is_medium_only_when_sustained_for_the_whole_window()
    {
        var now = HealthScoreTests.Snapshot("s", cpu: 82, at: Now);
        List<(DateTimeOffset, double)> covered = [(Now.AddSeconds(-150), 83), (Now.AddSeconds(-90), 81), (Now.AddSeconds(-30), 84)];
        List<(DateTimeOffset, double)> tooShort = [(Now.AddSeconds(-60), 90), (Now.AddSeconds(-30), 90)];
        List<(DateTimeOffset, double)> dipped = [(Now.AddSeconds(-150), 83), (Now.AddSeconds(-60), 50)];

        Assert.Equal("cpu_sustained", Assert.Single(_rules.ForSilo(now, covered)).AlertType);
        Assert.Equal(AlertSeverity.Medium, Assert.Single(_rules.ForSilo(now, covered)).Severity);
        Assert.Empty(_rules.ForSilo(now, tooShort));
        Assert.Empty(_rules.ForSilo(now, dipped));
    }

    [Fact]
    public void Sessions_over_80_percent_of_capacity_are_a_medium_overflow()
    {
        Assert.Empty(_rules.ForSilo(HealthScoreTests.Snapshot("s", sessions: 80), []));
        var alert = Assert.Single(_rules.ForSilo(HealthScoreTests.Snapshot("s", sessions: 81), []));
        Assert.Equal(("session_overflow", AlertSeverity.Medium), (alert.AlertType, alert.Severity));
    }

    [Theory]
    [InlineData(92, AlertSeverity.High)]
    [InlineData(97, AlertSeverity.Critical)]
    public void A_full_disk_is_high_then_critical(double disk, AlertSeverity severity)
    {
        var alert = Assert.Single(_rules.ForSilo(HealthScoreTests.Snapshot("s", disk: disk), []));
        Assert.Equal(("disk_space", severity), (alert.AlertType, alert.Severity));
    }

    [Fact]
    public void A_score_under_60_is_a_high_health_degraded_alert_for_the_cluster()
    {
        Assert.Empty(_rules.ForCluster(60, Now));
        var alert = Assert.Single(_rules.ForCluster(59.9, Now));
        Assert.Equal(("health_degraded", AlertSeverity.High, "cluster"), (alert.AlertType, alert.Severity, alert.Silo));
    }

    [Fact]
    public void The_gate_delivers_an_alert_once_per_cooldown_for_each_type_and_silo()
    {
        var gate = new AlertGate([], TimeSpan.FromMinutes(15));
        var a = Assert.Single(_rules.ForSilo(HealthScoreTests.Snapshot("a", memoryMb: 850), []));
        var b = Assert.Single(_rules.ForSilo(HealthScoreTests.Snapshot("b", memoryMb: 850), []));

        Assert.True(gate.ShouldDeliver(a, Now));
        Assert.False(gate.ShouldDeliver(a, Now.AddMinutes(14)));
        Assert.True(gate.ShouldDeliver(b, Now.AddMinutes(1)));
        Assert.True(gate.ShouldDeliver(a, Now.AddMinutes(15)));
    }

    [Fact]
    public void Recommendations_say_all_is_well_only_when_it_is()
    {
        var options = new MonitoringOptions();
        var calm = new ClusterResources(100, 5, 3, 20, 3, 1);
        Assert.Equal([Recommendations.AllWell], Recommendations.For(calm, 90, [], false, false, options));

        var alerts = _rules.ForSilo(HealthScoreTests.Snapshot("s", memoryMb: 850, cpu: 90), []).ToList();
        var advice = Recommendations.For(calm, 50, alerts, emergency: true, throttling: true, options);
        Assert.DoesNotContain(Recommendations.AllWell, advice);
        Assert.Contains(advice, a => a.StartsWith("Emergency mode", StringComparison.Ordinal));
        Assert.Contains(advice, a => a.StartsWith("CPU throttling", StringComparison.Ordinal));
        Assert.Contains(advice, a => a.Contains("850 MB", StringComparison.Ordinal));
    }
}
