using System.Net;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Restarts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Assistant.IntegrationTests.Autopilot;

/// <summary>
/// The monitor's restart policy in one silo: a restart only where it helps, requests for one silo
/// decided one at a time, and a silo that nothing would start again is never told to exit.
/// </summary>
public sealed class RestartPolicyTests
{
    private static Dictionary<string, string?> Automatic(bool supervised) => new()
    {
        ["Restart:AutoRestart"] = "true",
        ["Restart:Supervised"] = supervised ? "true" : "false",
        ["Restart:GraceSeconds"] = "60",
    };

    [Fact]
    public async Task A_full_disk_frees_disk_and_requests_no_restart()
    {
        var settings = Automatic(supervised: true);
        var backups = TestPaths.NewTempDirectory("backups");
        settings["Maintenance:BackupDirectory"] = backups;
        foreach (var day in new[] { "20261120", "20261121", "20261122" })
        {
            await File.WriteAllBytesAsync(Path.Combine(backups, $"system-{day}-030000.db"), new byte[64 * 1024]);
        }

        await using var service = await AutopilotSilo.StartAsync("disk-full", settings);
        service.Figures.DiskUsagePercent = 96;

        var status = await service.RefreshAsync();
        await service.RefreshAsync();

        Assert.Contains(status.GetProperty("health").GetProperty("alerts").EnumerateArray(),
            a => a.GetProperty("alert_type").GetString() == "disk_space" && a.GetProperty("severity").GetString() == "critical");
        Assert.Empty((await service.StatusAsync()).GetProperty("restart_requests").EnumerateArray());
        Assert.Empty((await service.RestartStatusAsync()).GetProperty("history").EnumerateArray());
        Assert.Equal(["system-20261122-030000.db"], Directory.GetFiles(backups).Select(Path.GetFileName));
        await service.Alerts.WaitForAsync(a => a.GetProperty("alert_type").GetString() == "disk_space", 1);
        Assert.Contains("a restart would free nothing", service.Alerts.Received.First(a => a.GetProperty("alert_type").GetString() == "disk_space").GetProperty("recommended_action").GetString());
    }

    [Fact]
    public async Task Over_the_memory_limit_a_restart_is_requested_even_with_critical_alerts_not_restarting()
    {
        var settings = Automatic(supervised: false);
        settings["Restart:OnCriticalAlerts"] = "false";
        await using var service = await AutopilotSilo.StartAsync("memory-limit", settings);
        service.Figures.MemoryMb = 1100; // memory_critical (900) is open too

        var status = await service.RefreshAsync();
        await service.RefreshAsync(); // asked once per cooldown, not once per cycle

        Assert.Contains(status.GetProperty("health").GetProperty("alerts").EnumerateArray(), a => a.GetProperty("alert_type").GetString() == "memory_critical");
        var request = Assert.Single((await service.StatusAsync()).GetProperty("restart_requests").EnumerateArray());
        Assert.Equal("memory 1100 MB over Restart:MemoryLimitMb 1000 MB", request.GetProperty("reason").GetString());
        Assert.Equal("not restarted: the silo is not supervised", request.GetProperty("outcome").GetString());

        // Unsupervised, the restart becomes an alert that says it is needed and why.
        await service.Alerts.WaitForAsync(a => a.GetProperty("alert_type").GetString() == "restart_needed", 1);
        var needed = service.Alerts.Received.First(a => a.GetProperty("alert_type").GetString() == "restart_needed");
        Assert.Contains("needs a restart (memory 1100 MB over Restart:MemoryLimitMb 1000 MB)", needed.GetProperty("message").GetString());
        Assert.Empty((await service.RestartStatusAsync()).GetProperty("history").EnumerateArray());
    }

    [Fact]
    public async Task Two_requests_at_once_for_one_silo_record_one_drain_and_the_probes_say_restarting_meanwhile()
    {
        await using var service = await AutopilotSilo.StartAsync("one-drain", Automatic(supervised: true));

        // A reply in progress keeps the accepted restart draining while the test looks.
        var release = new TaskCompletionSource();
        service.Model.Enqueue(new FakeResponse.Held(release.Task, "finished before the restart"));
        var reply = service.Http.SendAsync("draining", "hello");
        await service.Model.WaitForRequestsAsync(1);

        var silo = JsonDocument.Parse(await service.Http.GetStringAsync("/restart/status")).RootElement.GetProperty("silos")[0].GetProperty("silo").GetString()!;
        var manager = service.Silo.Grains.GetGrain<IRestartManagerGrain>(0);
        var decisions = await Task.WhenAll(
            manager.RequestAsync(new RestartCommand(silo, "operator", RestartCommand.Manual)),
            manager.RequestAsync(new RestartCommand(silo, "monitor", RestartCommand.MemoryLimit)));

        Assert.Single(decisions, d => d.Accepted);
        Assert.Single(decisions, d => d.AlreadyRestarting);
        var history = (await service.RestartStatusAsync()).GetProperty("history");
        Assert.Equal("draining", Assert.Single(history.EnumerateArray()).GetProperty("outcome").GetString());

        // While it drains, /health says so (still 200: it answers), and readiness turns it away from new work.
        using (var health = await service.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.True(JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("restarting").GetBoolean());
        }

        using (var ready = await service.Http.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("not_restarting", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        release.SetResult();
        Assert.Equal("finished before the restart", (await reply).GetProperty("reply").GetString());
    }

    [Fact]
    public async Task At_Restart_ScheduledTime_the_silo_drains_records_a_scheduled_restart_and_stops_for_its_supervisor_and_the_next_is_a_day_later()
    {
        var settings = Automatic(supervised: true);
        settings["Restart:ScheduledTime"] = "03:30";
        var directory = TestPaths.NewTempDirectory("scheduled-restart");
        var today = new DateTimeOffset(2026, 11, 26, 3, 30, 0, TimeSpan.Zero);
        await using (var service = await AutopilotSilo.StartAsync("scheduled-restart", settings, directory: directory, now: today.AddSeconds(-3)))
        {
            var stopping = new TaskCompletionSource();
            var lifetime = service.Silo.Services.GetRequiredService<IHostApplicationLifetime>();
            using var registration = lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
            Assert.Equal(today, (await service.RestartStatusAsync()).GetProperty("scheduled").GetDateTimeOffset());

            // The reminder is due three seconds after the start; the drain finds no reply in progress.
            await stopping.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(RestartCoordinator.RestartExitCode, service.Silo.Services.GetRequiredService<RestartCoordinator>().RequestedExitCode);
        }

        // Started again on its database, as its supervisor would: the restart is in the history, and the next is tomorrow's.
        await using var again = await AutopilotSilo.StartAsync("scheduled-restart", settings, directory: directory, now: today.AddMinutes(1));
        var status = await again.RestartStatusAsync();
        var entry = Assert.Single(status.GetProperty("history").EnumerateArray());
        Assert.Equal(RestartCommand.Scheduled, entry.GetProperty("source").GetString());
        Assert.Equal("scheduled daily restart", entry.GetProperty("reason").GetString());
        Assert.Equal(RestartEntry.Restarted, entry.GetProperty("outcome").GetString());
        Assert.Equal(today.AddDays(1), status.GetProperty("scheduled").GetDateTimeOffset());
    }

    [Fact]
    public async Task An_unsupervised_silo_refuses_a_forced_restart_with_409_and_says_how_to_run_supervised()
    {
        await using var service = await AutopilotSilo.StartAsync("unsupervised", new Dictionary<string, string?>());

        var status = await service.RestartStatusAsync();
        Assert.False(status.GetProperty("supervised").GetBoolean());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("supervisor").ValueKind);
        Assert.False(status.GetProperty("silos")[0].GetProperty("supervised").GetBoolean());

        using var response = await service.Http.PostAsync("/restart/force", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var detail = problem.RootElement.GetProperty("detail").GetString();
        Assert.Contains("not supervised", detail);
        Assert.Contains("scripts/start.sh", detail);
        Assert.Contains("Restart:Supervised=true", detail);
        Assert.Empty((await service.RestartStatusAsync()).GetProperty("history").EnumerateArray());
        using var health = await service.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode); // still running
    }
}
