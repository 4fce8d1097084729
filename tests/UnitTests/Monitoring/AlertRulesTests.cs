using Assistant.Monitoring;

namespace Assistant.UnitTests.Monitoring;

public sealed class AlertRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly AlertRules _rules = new(new MonitoringOptions());

    /// <summary>Two silos as the cluster-wide alerts carry them.</summary>
    private static readonly ResourceSnapshot Cluster = HealthScore.ClusterSnapshot([HealthScoreTests.Snapshot("a", memoryMb: 300, cpu: 10), HealthScoreTests.Snapshot("b", memoryMb: 200, cpu: 30)], Now);

    [Theory]
    [InlineData(300, null, null)]
    [InlineData(570, "memory_elevated", AlertSeverity.Low)] // over 70 % of the 800 MB limit
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

    [Theory]
    [InlineData(120)] // a limit under the warning level, as the console once showed: "LOW memory_elevated: Memory at 161.8 % of the 120 MB limit"
    [InlineData(800)]
    [InlineData(2000)] // a limit over the critical level
    public void Memory_severity_only_rises_with_memory_and_over_the_limit_is_at_least_high(double limitMb)
    {
        var rules = new AlertRules(new MonitoringOptions { MemoryLimitMb = limitMb });
        var previous = -1;
        for (var memory = 0.0; memory <= 3000; memory += 5)
        {
            var snapshot = HealthScoreTests.Snapshot("s", memoryMb: memory) with { MemoryUtilizationPercent = Math.Round(100 * memory / limitMb, 1) };
            var severity = rules.ForSilo(snapshot, []).Where(a => a.AlertType.StartsWith("memory_", StringComparison.Ordinal)).Select(a => (int)a.Severity).DefaultIfEmpty(-1).Max();
            Assert.True(severity >= previous, $"{memory} MB against a {limitMb} MB limit: severity {severity} after {previous}");
            if (memory > limitMb)
            {
                Assert.True(severity >= (int)AlertSeverity.High, $"{memory} MB is over the {limitMb} MB limit, but the alert is {(AlertSeverity)Math.Max(severity, 0)}");
            }

            previous = severity;
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
        Assert.Empty(_rules.ForSilo(HealthScoreTests.Snapshot("s", sessions: 800), []));
        var alert = Assert.Single(_rules.ForSilo(HealthScoreTests.Snapshot("s", sessions: 801), []));
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
    public void A_score_under_70_for_a_minute_is_a_high_health_degraded_alert_for_the_cluster()
    {
        Assert.Empty(_rules.ForCluster(70, Cluster, scoreLowFor: null));
        Assert.Empty(_rules.ForCluster(69.9, Cluster, scoreLowFor: TimeSpan.Zero)); // a first low cycle, such as a start-up's
        Assert.Empty(_rules.ForCluster(69.9, Cluster, scoreLowFor: TimeSpan.FromSeconds(59)));
        var alert = Assert.Single(_rules.ForCluster(69.9, Cluster, scoreLowFor: TimeSpan.FromSeconds(60)));
        Assert.Equal(("health_degraded", AlertSeverity.High, "cluster"), (alert.AlertType, alert.Severity, alert.Silo));
        Assert.Equal("Health score 69.9, under 70 for 60 s.", alert.Message);
        Assert.Equal(("cluster", 500, 20), (alert.ResourceSnapshot!.Silo, alert.ResourceSnapshot.MemoryMb, alert.ResourceSnapshot.CpuPercent)); // memory summed, CPU averaged

        var atOnce = new AlertRules(new MonitoringOptions { HealthScoreSustainedSeconds = 0 });
        Assert.Single(atOnce.ForCluster(69.9, Cluster, scoreLowFor: TimeSpan.Zero));
    }

    [Fact]
    public void Reply_time_p95_over_the_guides_budgets_is_a_medium_slow_replies_alert_text_and_media_apart()
    {
        var errors = new Dictionary<string, long>();
        ResourceSnapshot With(ReplyFigures figures) => HealthScoreTests.Snapshot("s") with { Replies = figures };

        Assert.Empty(_rules.ForSilo(With(new ReplyFigures(40, 2000, 5, 5000, 800, errors)), []));
        Assert.Empty(_rules.ForSilo(With(new ReplyFigures(0, 0, 3, 4000, 800, errors)), []));
        var text = Assert.Single(_rules.ForSilo(With(new ReplyFigures(40, 2100, 5, 4000, 800, errors)), []));
        Assert.Equal(("slow_replies_text", AlertSeverity.Medium), (text.AlertType, text.Severity));
        Assert.Contains("Text replies p95 2100 ms over the last 5 min (40 replies), over the 2000 ms budget", text.Message);
        var media = Assert.Single(_rules.ForSilo(With(new ReplyFigures(40, 1500, 5, 5200, 800, errors)), []));
        Assert.Contains("voice and document replies p95 5200 ms", media.Message);
        Assert.Equal("slow_replies_media", media.AlertType); // its own cooldown: a slow text alert does not silence it
        Assert.Equal(2, _rules.ForSilo(With(new ReplyFigures(40, 2100, 5, 5200, 800, errors)), []).Count());
    }

    [Fact]
    public void Memory_growing_faster_than_50_MB_an_hour_is_a_medium_cluster_alert_once_the_hour_is_known()
    {
        Assert.Empty(_rules.ForCluster(90, Cluster, null));
        Assert.Empty(_rules.ForCluster(90, Cluster, 50));
        var alert = Assert.Single(_rules.ForCluster(90, Cluster, 62.5));
        Assert.Equal(("memory_growth", AlertSeverity.Medium, "cluster"), (alert.AlertType, alert.Severity, alert.Silo));
        Assert.Contains("62.5 MB per hour", alert.Message);
    }

    [Fact]
    public void The_growth_rate_is_measured_over_the_last_hour_and_only_once_it_spans_half_an_hour()
    {
        var history = new HealthHistory(TimeSpan.FromHours(24), TimeSpan.FromSeconds(30));
        for (var minute = 0; minute <= 20; minute++)
        {
            history.Add(new HealthSample(Now.AddMinutes(minute), 90, 300 + minute, 5, 0)); // 1 MB a minute
        }

        Assert.Null(history.MemoryGrowthPerHour(Now.AddMinutes(20)));
        for (var minute = 21; minute <= 59; minute++)
        {
            history.Add(new HealthSample(Now.AddMinutes(minute), 90, 300 + minute, 5, 0));
        }

        Assert.Equal(60, history.MemoryGrowthPerHour(Now.AddMinutes(59))!.Value, 3);
        for (var minute = 60; minute <= 120; minute++)
        {
            history.Add(new HealthSample(Now.AddMinutes(minute), 90, 360, 5, 0)); // flat from the first hour on
        }

        Assert.Equal(0, history.MemoryGrowthPerHour(Now.AddMinutes(120))!.Value, 3);
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
