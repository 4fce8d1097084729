using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Observability;

/// <summary>
/// The Prometheus rules and example configuration in <c>deploy/prometheus</c>, checked by Debian's
/// promtool, and the rules evaluated by a real Prometheus server scraping a real silo whose health
/// score is held low (a memory limit under what the process uses, and one session over a capacity of one).
/// </summary>
public sealed class PrometheusRulesTests
{
    private const string Key = "prometheus-test-key";
    private static readonly string Deploy = Path.Combine(TestPaths.RepositoryRoot, "deploy", "prometheus");

    [Fact]
    public async Task The_alert_rules_pass_promtool_check_and_their_unit_tests()
    {
        var check = await PrometheusServer.PromtoolAsync(Deploy, "check", "rules", "assistant-alerts.yml");
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains("SUCCESS: 14 rules found", check.Output);

        var test = await PrometheusServer.PromtoolAsync(Deploy, "test", "rules", "assistant-alerts.test.yml");
        Assert.True(test.ExitCode == 0, test.Output);
        Assert.Contains("SUCCESS", test.Output);
    }

    [Fact]
    public async Task The_example_scrape_configuration_is_valid_with_its_key_file_beside_it()
    {
        var directory = TestPaths.NewTempDirectory("prometheus-config");
        File.Copy(Path.Combine(Deploy, "prometheus.yml"), Path.Combine(directory, "prometheus.yml"));
        File.Copy(Path.Combine(Deploy, "assistant-alerts.yml"), Path.Combine(directory, "assistant-alerts.yml"));
        await File.WriteAllTextAsync(Path.Combine(directory, "assistant-admin-key"), Key);

        var check = await PrometheusServer.PromtoolAsync(directory, "check", "config", "prometheus.yml");

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains("SUCCESS: 14 rules found", check.Output);
    }

    [Fact]
    public async Task A_real_Prometheus_scraping_a_silo_with_a_low_health_score_raises_the_health_alert()
    {
        var directory = TestPaths.NewTempDirectory("prometheus-server");
        await using var silo = new SiloProcess(TestPaths.NewTempDirectory("prometheus-silo"), new Dictionary<string, string>
        {
            ["Admin__ApiKey"] = Key,
            ["Monitoring__HealthIntervalSeconds"] = "1",
            ["Monitoring__MemoryLimitMb"] = "100", // the process uses more: memory health 0
            ["Monitoring__SessionCapacity"] = "1",  // one session: session health 0
        });
        await silo.StartAndWaitHealthyAsync();
        await silo.Http.SendAsync("held-low", "hello");

        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - {Path.Combine(Deploy, "assistant-alerts.yml")}
            scrape_configs:
              - job_name: assistant
                authorization:
                  type: Bearer
                  credentials: {Key}
                static_configs:
                  - targets: ["127.0.0.1:{silo.HttpPort}"]
            """);
        await using var prometheus = await PrometheusServer.StartAsync(config, Path.Combine(directory, "tsdb"));

        var alert = await Eventually.UntilAsync(
            async () => (await prometheus.ApiAsync("/api/v1/alerts")).GetProperty("alerts").EnumerateArray()
                .FirstOrDefault(a => a.GetProperty("labels").GetProperty("alertname").GetString() == "AssistantHealthScoreLow"),
            a => a.ValueKind == JsonValueKind.Object,
            "AssistantHealthScoreLow to go pending",
            TimeSpan.FromSeconds(60),
            TimeSpan.FromMilliseconds(500));

        Assert.Contains(alert.GetProperty("state").GetString(), new[] { "pending", "firing" });
        Assert.Equal("high", alert.GetProperty("labels").GetProperty("severity").GetString());
        Assert.InRange(double.Parse(alert.GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture), 0, 0.3);

        // Every query of the Grafana dashboard is valid PromQL to this server, and returns data but
        // where this silo has nothing to show: no Telegram channel (those series are the channel's
        // silo's), no media reply (a histogram has no series before its first record), and no model
        // or budget (it answers offline; MetricsTests scrapes those series from a silo that spends).
        string[] absentHere = ["photo|voice|document", "telegram", "assistant_model_", "assistant_budget_"];
        foreach (var expression in GrafanaDashboard.Load().Expressions)
        {
            var query = $"/api/v1/query?query={Uri.EscapeDataString(expression)}";
            var result = await prometheus.ApiAsync(query);
            Assert.Equal("vector", result.GetProperty("resultType").GetString());
            if (!absentHere.Any(a => expression.Contains(a, StringComparison.Ordinal)))
            {
                // A rate needs two scrapes in its range: a query of a just-started server may wait for them.
                await Eventually.UntilAsync(() => prometheus.ApiAsync(query), r => r.GetProperty("result").GetArrayLength() > 0, $"{expression} to return a series", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
            }
        }

        // The scrape itself went through the key, and the silo is up.
        var up = (await prometheus.ApiAsync("/api/v1/query?query=up")).GetProperty("result").EnumerateArray().Single();
        Assert.Equal("1", up.GetProperty("value")[1].GetString());
        var emergency = (await prometheus.ApiAsync("/api/v1/alerts")).GetProperty("alerts").EnumerateArray()
            .Where(a => a.GetProperty("labels").GetProperty("alertname").GetString() == "AssistantSiloDown");
        Assert.Empty(emergency);
    }
}
