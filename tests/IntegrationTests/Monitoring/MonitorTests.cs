using System.Net;
using System.Text.Json;
using Assistant.Fakes;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Autopilot;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Monitoring;
using Microsoft.Extensions.Time.Testing;

namespace Assistant.IntegrationTests.Monitoring;

/// <summary>
/// The ResourceMonitor in a running silo with a sampler whose figures the test sets and a fake
/// clock for the service's own time. Health cycles run on demand (GET /resources/status?refresh=true).
/// </summary>
public sealed class MonitorTests : IAsyncLifetime
{
    private AutopilotSilo _service = null!;
    private SamplerFigures _figures = null!;
    private FakeTimeProvider _clock = null!;
    private FakeWebhookReceiver _alerts = null!;
    private FakeOpenAiServer _model = null!;
    private InProcessSilo _silo = null!;

    public async Task InitializeAsync()
    {
        _service = await AutopilotSilo.StartAsync("monitor", new Dictionary<string, string?>
        {
            ["Monitoring:ThrottleConcurrency"] = "1",
            ["Monitoring:ThrottleQueueLength"] = "0",
        });
        (_figures, _clock, _alerts, _model, _silo) = (_service.Figures, _service.Clock, _service.Alerts, _service.Model, _service.Silo);
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task The_status_has_the_guides_shape_and_a_score_that_follows_the_formula()
    {
        _figures.MemoryMb = 345.2;
        _figures.CpuPercent = 25.5;
        _figures.ActiveSessions = 12;

        var status = await RefreshAsync();

        var current = status.GetProperty("health").GetProperty("current_resources");
        Assert.Equal(345.2, current.GetProperty("memory_mb").GetDouble());
        Assert.Equal(25.5, current.GetProperty("cpu_percent").GetDouble());
        Assert.Equal(12, current.GetProperty("active_sessions").GetInt32());
        Assert.Equal(69, current.GetProperty("memory_utilization_percent").GetDouble());
        // Session capacity is 10 here: load 120 % gives session health 0.
        Assert.Equal(Math.Round((0.4 * 0) + (0.3 * (100 - (25.5 * 1.2))) + (0.3 * 0), 1), status.GetProperty("health").GetProperty("health_score").GetDouble());
        Assert.Equal(JsonValueKind.Array, status.GetProperty("health").GetProperty("alerts").ValueKind);
        Assert.NotEmpty(status.GetProperty("health").GetProperty("recommendations").EnumerateArray());
        var emergency = status.GetProperty("emergency");
        Assert.False(emergency.GetProperty("emergency_mode").GetBoolean());
        Assert.False(emergency.GetProperty("cpu_throttling").GetBoolean());
        Assert.Equal(0, emergency.GetProperty("emergency_cleanups").GetInt64());
        Assert.Equal(500, status.GetProperty("limits").GetProperty("memory_limit_mb").GetDouble());
        Assert.Single(status.GetProperty("silos").EnumerateArray());
        Assert.True(status.GetProperty("history").GetArrayLength() >= 1);
    }

    [Fact]
    public async Task A_live_alert_and_its_snapshot_have_the_guides_field_names_on_the_status_and_the_webhook()
    {
        (_figures.MemoryMb, _figures.CpuPercent) = (870, 95); // memory_warning on the silo; the score low for the cluster

        var status = await RefreshAsync();

        string[] alertFields = ["alert_type", "severity", "message", "timestamp", "resource_snapshot", "recommended_action"];
        string[] snapshotFields = ["timestamp", "memory_mb", "cpu_percent", "active_sessions", "total_processes", "disk_usage_percent", "network_io_bytes"];
        var alerts = status.GetProperty("health").GetProperty("alerts").EnumerateArray().ToList();
        await _alerts.WaitForAsync(a => a.GetProperty("alert_type").GetString() == "health_degraded", 1);
        foreach (var alert in alerts.Concat(_alerts.Received))
        {
            Assert.All(alertFields, f => Assert.True(alert.TryGetProperty(f, out _), $"{alert.GetProperty("alert_type")} has no {f}"));
            var snapshot = alert.GetProperty("resource_snapshot");
            Assert.All(snapshotFields, f => Assert.True(snapshot.TryGetProperty(f, out _), $"{alert.GetProperty("alert_type")}'s snapshot has no {f}"));
            var network = snapshot.GetProperty("network_io_bytes"); // the guide's Tuple[int, int]: [sent, received]
            Assert.Equal(JsonValueKind.Array, network.ValueKind);
            Assert.Equal(2, network.GetArrayLength());
            Assert.All(network.EnumerateArray(), n => Assert.True(n.TryGetInt64(out _)));
            Assert.False(alert.TryGetProperty("snapshot", out _)); // the one name, not two
        }

        var silo = Assert.Single(alerts, a => a.GetProperty("alert_type").GetString() == "memory_warning").GetProperty("resource_snapshot");
        Assert.Equal(870, silo.GetProperty("memory_mb").GetDouble());
        var cluster = Assert.Single(alerts, a => a.GetProperty("alert_type").GetString() == "health_degraded").GetProperty("resource_snapshot");
        Assert.Equal("cluster", cluster.GetProperty("silo").GetString());
        Assert.Equal(870, cluster.GetProperty("memory_mb").GetDouble()); // one silo: the cluster's sum is its figure
        Assert.Equal(JsonValueKind.Array, status.GetProperty("silos")[0].GetProperty("snapshot").GetProperty("network_io_bytes").ValueKind);
    }

    [Fact]
    public async Task The_status_and_the_trends_hold_the_measured_figures_against_the_guides_baselines_and_the_daily_update_logs_it()
    {
        (_figures.MemoryMb, _figures.CpuPercent, _figures.ActiveSessions) = (345, 25, 2);
        await _silo.Http.SendAsync("baseline", "hello"); // a text reply in the latency window

        var status = await RefreshAsync();

        var baselines = status.GetProperty("guide_baselines").EnumerateArray().ToDictionary(b => b.GetProperty("figure").GetString()!);
        Assert.Equal(["memory", "cpu_baseline", "cpu_sustained", "sessions", "response_text", "response_media"], baselines.Keys);
        (double? Measured, double Limit, bool? Within) Of(string figure)
        {
            var b = baselines[figure];
            return (b.TryGetProperty("measured", out var measured) ? measured.GetDouble() : null, // null figures are left out
                b.GetProperty("limit").GetDouble(),
                b.TryGetProperty("within", out var within) ? within.GetBoolean() : null);
        }

        Assert.Equal((345, 360, true), Of("memory"));         // 300 MB + 30 MB for each of 2 sessions
        Assert.Equal((25, 20, false), Of("cpu_baseline"));    // over the guide's 20 %
        Assert.Equal((25, 80, true), Of("cpu_sustained"));
        Assert.Equal((10, 50, false), Of("sessions"));        // Monitoring:SessionCapacity is 10 here, under the guide's 50
        var text = Of("response_text");
        Assert.True(text.Within, "the offline-fast fake model answered in well under 2 s");
        Assert.Equal((null, 5000, null), Of("response_media")); // no media reply yet: not measured

        var trends = JsonDocument.Parse(await _silo.Http.GetStringAsync("/resources/trends?days=7")).RootElement;
        Assert.Equal(status.GetProperty("guide_baselines").GetRawText(), trends.GetProperty("guide_baselines").GetRawText());

        // The daily reminder's baseline update logs the comparison.
        await _silo.Grains.GetGrain<IResourceMonitorGrain>(0).AsReference<IRemindable>().ReceiveReminder("daily", default);
        var log = Infrastructure.ScriptedService.ReadShared(Path.Combine(_silo.Directory, "logs", "system.log"));
        Assert.Contains("🔄 Performance baseline update against the guide's baselines: memory within (345 MB against 360); cpu_baseline outside (25 % against 20); cpu_sustained within (25 % against 80); sessions outside (10 sessions against 50); response_text within", log);
        Assert.Contains("response_media not measured", log);
    }

    [Fact]
    public async Task An_alert_is_delivered_once_then_held_back_for_the_cooldown_then_delivered_again()
    {
        _figures.MemoryMb = 850;

        await RefreshAsync();
        await _alerts.WaitForAsync(IsMemoryWarning, 1);
        var second = await RefreshAsync();
        await RefreshAsync();

        Assert.Single(_alerts.Received, IsMemoryWarning);
        Assert.Contains(second.GetProperty("health").GetProperty("alerts").EnumerateArray(), a => a.GetProperty("alert_type").GetString() == "memory_warning" && a.GetProperty("severity").GetString() == "high");

        _clock.Advance(TimeSpan.FromMinutes(16));
        await RefreshAsync();
        await _alerts.WaitForAsync(IsMemoryWarning, 2);
        var alert = _alerts.Received.First(IsMemoryWarning);
        Assert.Equal(850, alert.GetProperty("resource_snapshot").GetProperty("memory_mb").GetDouble());
        Assert.False(string.IsNullOrWhiteSpace(alert.GetProperty("recommended_action").GetString()));
    }

    [Fact]
    public async Task A_critical_alert_requests_a_restart_and_low_alerts_are_only_logged()
    {
        _figures.MemoryMb = 400; // 80 % of the limit: low
        var low = await RefreshAsync();
        Assert.Contains(low.GetProperty("health").GetProperty("alerts").EnumerateArray(), a => a.GetProperty("severity").GetString() == "low");

        _figures.MemoryMb = 950;
        var critical = await RefreshAsync();

        await _alerts.WaitForAsync(a => a.GetProperty("alert_type").GetString() == "memory_critical", 1);
        Assert.DoesNotContain(_alerts.Received, a => a.GetProperty("severity").GetString() == "low");
        var request = Assert.Single(critical.GetProperty("restart_requests").EnumerateArray());
        Assert.Contains("memory_critical", request.GetProperty("reason").GetString());
        Assert.Contains("Restart:AutoRestart is off", request.GetProperty("outcome").GetString()); // on in production; see ScriptsTests
    }

    [Fact]
    public async Task Over_the_emergency_memory_idle_sessions_are_deactivated_and_counted_then_emergency_ends_with_hysteresis()
    {
        foreach (var id in new[] { "idle-1", "idle-2", "idle-3" })
        {
            await _silo.Http.SendAsync(id, "hello");
        }

        Assert.Equal(3, await ActiveSessionsAsync());
        _clock.Advance(TimeSpan.FromMinutes(2));
        _figures.MemoryMb = 650;

        var during = await RefreshAsync();

        Assert.True(during.GetProperty("emergency").GetProperty("emergency_mode").GetBoolean());
        Assert.Equal(1, during.GetProperty("emergency").GetProperty("emergency_cleanups").GetInt64());
        Assert.Equal(3, during.GetProperty("last_cleanup").GetProperty("sessions_deactivated").GetInt32());
        // Deactivation completes after the call that requested it.
        await Eventually.WaitAsync(async () => await ActiveSessionsAsync() == 0, "the idle sessions to be deactivated", TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));

        _figures.MemoryMb = 580; // under the entry threshold, over the exit one: still in emergency
        Assert.True((await RefreshAsync()).GetProperty("emergency").GetProperty("emergency_mode").GetBoolean());
        _figures.MemoryMb = 500;
        var after = await RefreshAsync();
        Assert.False(after.GetProperty("emergency").GetProperty("emergency_mode").GetBoolean());
        Assert.Equal(1, after.GetProperty("emergency").GetProperty("emergency_cleanups").GetInt64());

        // The conversations themselves are intact.
        var restored = await _silo.Http.GetSessionAsync("idle-2");
        Assert.Equal(2, restored.GetProperty("message_count").GetInt32());
    }

    [Fact]
    public async Task High_CPU_turns_throttling_on_until_CPU_falls_under_the_exit_threshold()
    {
        _figures.CpuPercent = 90;
        Assert.True((await RefreshAsync()).GetProperty("emergency").GetProperty("cpu_throttling").GetBoolean());

        // One chat request at a time, none waiting: a second one while the first runs gets 429.
        var release = new TaskCompletionSource();
        _model.Enqueue(new FakeResponse.Held(release.Task, "slow answer"));
        var first = _silo.Http.SendAsync("throttled-1", "first");
        await _model.WaitForRequestsAsync(1);
        using (var second = await _silo.Http.PostRawAsync("/sessions/throttled-2/messages", """{"text":"second"}"""))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
            Assert.Equal("5", second.Headers.RetryAfter?.ToString());
        }

        release.SetResult();
        Assert.Equal("slow answer", (await first).GetProperty("reply").GetString());

        _figures.CpuPercent = 75; // under the entry threshold, over the exit one
        Assert.True((await RefreshAsync()).GetProperty("emergency").GetProperty("cpu_throttling").GetBoolean());
        _figures.CpuPercent = 60;
        Assert.False((await RefreshAsync()).GetProperty("emergency").GetProperty("cpu_throttling").GetBoolean());
        await _silo.Http.SendAsync("throttled-3", "free again");
    }

    [Fact]
    public async Task Cleanup_needs_the_admin_key_and_reports_what_it_freed()
    {
        using var anonymous = new HttpClient { BaseAddress = _silo.Http.BaseAddress };
        using (var refused = await anonymous.PostAsync("/resources/cleanup", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await _silo.Http.SendAsync("to-clean", "hi");
        _clock.Advance(TimeSpan.FromMinutes(5));
        using var response = await _silo.Http.PostAsync("/resources/cleanup", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, result.RootElement.GetProperty("sessions_deactivated").GetInt32());
        Assert.Single(result.RootElement.GetProperty("silos").EnumerateArray());
    }

    private static bool IsMemoryWarning(JsonElement alert) => alert.GetProperty("alert_type").GetString() == "memory_warning";

    private async Task<JsonElement> RefreshAsync()
    {
        var body = await _silo.Http.GetStringAsync("/resources/status?refresh=true&history=5");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<int> ActiveSessionsAsync()
    {
        using var report = JsonDocument.Parse(await _silo.Http.GetStringAsync("/sessions/report"));
        return report.RootElement.GetProperty("active_sessions").GetInt32();
    }
}
