using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Operations;

/// <summary>The real executable under scripts/start.sh and scripts/stop.sh.</summary>
public sealed class ScriptsTests
{
    private const string Key = "operator-key";

    [Fact]
    public async Task A_forced_restart_exits_and_comes_back_under_the_supervisor_keeping_sessions_and_the_hourly_limit_refuses_the_next()
    {
        await using var service = new ScriptedService("restart", new Dictionary<string, string> { ["Admin__ApiKey"] = Key, ["Restart__MaxPerHour"] = "1" });
        var start = await service.StartAsync();
        Assert.True(start.ExitCode == 0, start.All);
        Assert.Contains($"http://localhost:{service.HttpPort}/dashboard/", start.Output);
        await Admin(service).SendAsync("kept", "remember this"); // with an admin key, the sessions API needs it too

        using (var refused = await service.Http.PostAsync("/restart/force", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var forced = await Admin(service).PostAsJsonAsync("/restart/force", new { reason = "test restart" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, forced.StatusCode);
        }

        await WaitForAsync(() => Task.FromResult(service.SupervisorLog.Contains("asked for a restart; starting it again", StringComparison.Ordinal)), "the supervisor to restart the silo");
        await WaitForAsync(async () => (await TryGetAsync(service.Http, "/health")) == HttpStatusCode.OK, "the silo to be healthy again");

        using var status = JsonDocument.Parse(await Admin(service).GetStringAsync("/restart/status"));
        var entry = status.RootElement.GetProperty("history")[0];
        Assert.Equal("test restart", entry.GetProperty("reason").GetString());
        Assert.Equal("restarted", entry.GetProperty("outcome").GetString());
        Assert.True(entry.GetProperty("drain_seconds").GetDouble() >= 0);
        Assert.True(entry.GetProperty("uptime_before_seconds").GetDouble() > 0);
        Assert.Equal(1, status.RootElement.GetProperty("config").GetProperty("max_restarts_per_hour").GetInt32());
        Assert.True(status.RootElement.TryGetProperty("scheduled", out _));

        var session = await Admin(service).GetSessionAsync("kept");
        Assert.Equal("remember this", SessionClient.Texts(session)[0]);

        Assert.True(status.RootElement.GetProperty("supervised").GetBoolean());
        Assert.Equal("scripts/supervise.sh", status.RootElement.GetProperty("supervisor").GetString());

        using var second = await Admin(service).PostAsync("/restart/force", null);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Contains("Restart:MaxPerHour", await second.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, await TryGetAsync(service.Http, "/health"));
    }

    [Fact]
    public async Task Over_the_memory_limit_the_monitor_restarts_the_silo_once_then_the_loop_guard_refuses_and_alerts()
    {
        await using var service = new ScriptedService("auto-restart", new Dictionary<string, string>
        {
            ["Restart__MemoryLimitMb"] = "50", // any silo is over this: it asks for a restart as soon as it looks
            ["Restart__MaxPerHour"] = "1",
            ["Restart__BackoffBaseSeconds"] = "0",
            ["Monitoring__HealthIntervalSeconds"] = "1",
        });
        var start = await service.StartAsync();
        Assert.True(start.ExitCode == 0, start.All);

        await WaitForAsync(async () =>
        {
            try
            {
                using var status = JsonDocument.Parse(await Admin(service).GetStringAsync("/restart/status"));
                return status.RootElement.GetProperty("history").EnumerateArray().Any(e => e.GetProperty("outcome").GetString() == "refused");
            }
            catch (HttpRequestException)
            {
                return false; // restarting
            }
        }, "a restart, then a refused one");

        using var history = JsonDocument.Parse(await service.Http.GetStringAsync("/restart/status"));
        var entries = history.RootElement.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["refused", "restarted"], entries.Select(e => e.GetProperty("outcome").GetString()));
        Assert.All(entries, e => Assert.Equal("memory_limit", e.GetProperty("source").GetString()));
        Assert.Single(service.SupervisorLog.Split('\n'), l => l.Contains("asked for a restart", StringComparison.Ordinal));
        using var resources = JsonDocument.Parse(await service.Http.GetStringAsync("/resources/status"));
        Assert.Contains(resources.RootElement.GetProperty("restart_requests").EnumerateArray(), r => r.GetProperty("outcome").GetString()!.StartsWith("refused", StringComparison.Ordinal));
        Assert.Contains(resources.RootElement.GetProperty("recent_alerts").EnumerateArray(), a => a.GetProperty("alert_type").GetString() == "restart_refused");
        Assert.Contains("Alert (high) restart_refused", ScriptedService.ReadShared(Path.Combine(service.Home, "logs", "system.log")));
    }

    [Fact]
    public async Task A_restart_refused_for_its_backoff_is_asked_for_again_once_the_backoff_has_passed()
    {
        await using var service = new ScriptedService("restart-backoff", new Dictionary<string, string>
        {
            ["Restart__MemoryLimitMb"] = "50", // any silo is over this: it asks for a restart as soon as it looks
            ["Restart__MaxPerHour"] = "2",
            ["Restart__BackoffBaseSeconds"] = "15", // after the first restart the next waits 15 s; the alert cooldown is 15 minutes
            ["Monitoring__HealthIntervalSeconds"] = "1",
        });
        var start = await service.StartAsync();
        Assert.True(start.ExitCode == 0, start.All);

        List<JsonElement> entries = [];
        await WaitForAsync(async () =>
        {
            try
            {
                using var status = JsonDocument.Parse(await Admin(service).GetStringAsync("/restart/status"));
                entries = [.. status.RootElement.GetProperty("history").EnumerateArray().Select(e => e.Clone()).Reverse()];
                return entries.Count(e => e.GetProperty("outcome").GetString() == "restarted") == 2;
            }
            catch (HttpRequestException)
            {
                return false; // restarting
            }
        }, "a restart, a refusal for the backoff, then the second restart");

        // Oldest first: restarted, refused (backoff), restarted.
        Assert.Equal(["restarted", "refused", "restarted"], entries.Take(3).Select(e => e.GetProperty("outcome").GetString()));
        var first = entries[0].GetProperty("at").GetDateTimeOffset();
        var second = entries[2].GetProperty("at").GetDateTimeOffset();
        // Asked again at the end of the backoff, not sooner; and not after the 15-minute alert
        // cooldown either: the wait above gives up after 90 s.
        Assert.True(second - first >= TimeSpan.FromSeconds(15), $"restarted again {(second - first).TotalSeconds:0.0} s after the first, inside the 15 s backoff");

        // "restarted" is recorded when the drain ends, before the process exits: the silo that
        // answered above may be the one going down, so wait for the one its supervisor starts.
        JsonElement requests = default;
        await WaitForAsync(async () =>
        {
            try
            {
                using var resources = JsonDocument.Parse(await service.Http.GetStringAsync("/resources/status"));
                requests = resources.RootElement.GetProperty("restart_requests").Clone();
                return true;
            }
            catch (HttpRequestException)
            {
                return false; // restarting
            }
        }, "the restarted silo to answer");
        Assert.Contains(requests.EnumerateArray(), r => r.GetProperty("outcome").GetString()!.Contains("back off for 15 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_on_a_running_service_starts_no_second_instance_checks_it_says_so_and_exits_0_and_stop_stops_it()
    {
        await using var service = new ScriptedService("stop");
        Assert.Equal(0, (await service.StartAsync()).ExitCode);
        var supervisor = File.ReadAllText(Path.Combine(service.Home, "run", "supervisor-1.pid")).Trim();
        var silo = File.ReadAllText(Path.Combine(service.Home, "run", "silo-1.pid")).Trim();
        File.WriteAllText(Path.Combine(service.Home, "run", "supervisor-2.pid"), "999999"); // a stale pid file: that silo died with its supervisor

        var second = await service.StartAsync();

        Assert.True(second.ExitCode == 0, second.All);
        Assert.Contains("Silo 1 is already running", second.Output);
        Assert.Contains("Lock recovery: removed the stale pid files of silo 2", second.Output);
        Assert.Contains("Checking the integrity of", second.Output);
        Assert.Contains("The assistant is already running (1 silo(s)); nothing was started.", second.Output);
        Assert.Equal(supervisor, File.ReadAllText(Path.Combine(service.Home, "run", "supervisor-1.pid")).Trim());
        Assert.Equal(silo, File.ReadAllText(Path.Combine(service.Home, "run", "silo-1.pid")).Trim());
        Assert.Equal(["supervisor-1.pid", "silo-1.pid"], Directory.GetFiles(Path.Combine(service.Home, "run"), "*.pid").Select(Path.GetFileName).OrderDescending(StringComparer.Ordinal));
        Assert.Single(service.SupervisorLog.Split('\n'), l => l.Contains("started (pid", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, await TryGetAsync(service.Http, "/health"));

        var stop = await service.StopAsync();
        Assert.Equal(0, stop.ExitCode);
        Assert.Contains("stopped gracefully", stop.Output);
        Assert.Empty(Directory.GetFiles(Path.Combine(service.Home, "run"), "*.pid"));
        Assert.Null(await TryGetAsync(service.Http, "/health"));
        Assert.Contains("stopped (exit 0) on request", service.SupervisorLog);
    }

    [Fact]
    public async Task Status_and_the_guides_process_check_show_what_runs_a_kill_9_is_named_and_the_lock_runbook_releases_the_database()
    {
        await using var service = new ScriptedService("status");
        var idle = await Script.RunAsync("status.sh", service.Home, service.Environment);
        Assert.Equal(3, idle.ExitCode);
        Assert.Contains("Nothing of this installation is running.", idle.Output);

        Assert.Equal(0, (await service.StartAsync()).ExitCode);
        var supervisor = File.ReadAllText(Path.Combine(service.Home, "run", "supervisor-1.pid")).Trim();
        var silo = File.ReadAllText(Path.Combine(service.Home, "run", "silo-1.pid")).Trim();
        var status = await Script.RunAsync("status.sh", service.Home, service.Environment);
        Assert.True(status.ExitCode == 0, status.All);
        Assert.Contains($"Silo 1: running, ready (supervisor pid {supervisor}, silo pid {silo})", status.Output);
        Assert.Contains($"HTTP http://127.0.0.1:{service.HttpPort}, silo port {service.Environment["Cluster__SiloPort"]}, gateway port {service.Environment["Cluster__GatewayPort"]}", status.Output);
        Assert.Contains("pid files: run/supervisor-1.pid run/silo-1.pid", status.Output);

        // The process check docs/operations.md prints in place of the guide's uvicorn|huey one finds both processes.
        var check = File.ReadAllLines(Path.Combine(TestPaths.RepositoryRoot, "docs", "operations.md")).Select(l => l.Trim())
            .Single(l => l.StartsWith("ps aux | grep -E", StringComparison.Ordinal)).Split("   #")[0];
        var found = await Script.RunShellAsync(check, service.Home);
        Assert.Contains(found.Output.Split('\n'), l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var pid, ..] && pid == silo);
        Assert.Contains(found.Output.Split('\n'), l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var pid, ..] && pid == supervisor);

        // kill -9 of the silo, as a lock runbook would: the supervisor says what happened and starts it again.
        System.Diagnostics.Process.GetProcessById(int.Parse(silo, System.Globalization.CultureInfo.InvariantCulture)).Kill();
        await WaitForAsync(() => Task.FromResult(service.SupervisorLog.Contains("silo 1 was killed (SIGKILL, exit 137). To release the database instead, stop the service: scripts/stop.sh", StringComparison.Ordinal)), "the supervisor's line");
        await WaitForAsync(async () => (await TryGetAsync(service.Http, "/health/ready")) == HttpStatusCode.OK, "the silo to be back");

        // The runbook's release: stop (and checkpoint), checkpoint, start.
        await service.Http.PostAsJsonAsync("/sessions/lock/messages", new { text = "something in the WAL" });
        Assert.Equal(0, (await service.StopAsync()).ExitCode);
        var checkpoint = await Script.RunAsync("maintenance.sh", service.Home, service.Environment, arguments: "checkpoint");
        Assert.True(checkpoint.ExitCode == 0, checkpoint.All);
        Assert.Equal(0, new FileInfo(Path.Combine(service.Home, "data", "system.db-wal")) is { Exists: true } wal ? wal.Length : 0);
        Assert.Equal(0, (await service.StartAsync()).ExitCode);
        Assert.Equal(0, (await Script.RunAsync("status.sh", service.Home, service.Environment)).ExitCode);
    }

    [Fact]
    public async Task Stop_finds_and_stops_a_silo_whose_pid_files_are_gone_and_releases_the_database()
    {
        await using var service = new ScriptedService("orphan");
        Assert.Equal(0, (await service.StartAsync()).ExitCode);
        await service.Http.PostAsJsonAsync("/sessions/orphan/messages", new { text = "hello" }); // something in the WAL
        var silo = int.Parse(File.ReadAllText(Path.Combine(service.Home, "run", "silo-1.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        foreach (var file in Directory.GetFiles(Path.Combine(service.Home, "run"), "*.pid"))
        {
            File.Delete(file); // as when run/ is lost: the processes go on without their pid files
        }

        var stop = await service.StopAsync();

        Assert.True(stop.ExitCode == 0, stop.All);
        Assert.Contains($"Found silo pid {silo} of this installation without a pid file (an orphan)", stop.Output);
        Assert.Contains($"Orphan silo (pid {silo}) stopped gracefully", stop.Output);
        Assert.Null(await TryGetAsync(service.Http, "/health"));
        Assert.False(Directory.Exists($"/proc/{silo}"), "the orphan's process is gone");
        Assert.Contains("Database released:", stop.Output);
        Assert.Equal(0, new FileInfo(Path.Combine(service.Home, "data", "system.db-wal")) is { Exists: true } wal ? wal.Length : 0);
    }

    [Fact]
    public async Task Start_with_two_silos_runs_them_on_consecutive_ports_as_one_cluster_and_stop_stops_both()
    {
        await using var service = new ScriptedService("two-silos");
        var base0 = FreeRun(2);
        service.Environment["Cluster__SiloPort"] = base0.ToString(System.Globalization.CultureInfo.InvariantCulture);
        service.Environment["Cluster__GatewayPort"] = FreeRun(2).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var http = FreeRun(2);
        var start = await Script.RunAsync("start.sh", service.Home, service.Environment, arguments: ["--port", http.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silos", "2"]);
        Assert.True(start.ExitCode == 0, start.All);
        Assert.Contains("(2 silo(s))", start.Output);

        using var second = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http + 1}") };
        using var status = JsonDocument.Parse(await second.GetStringAsync("/resources/status?refresh=true"));
        var silos = status.RootElement.GetProperty("silos").EnumerateArray().Select(s => s.GetProperty("silo").GetString()!).ToList();
        Assert.Equal(2, silos.Count);
        Assert.Contains(silos, s => s.EndsWith($"-{base0}", StringComparison.Ordinal));
        Assert.Contains(silos, s => s.EndsWith($"-{base0 + 1}", StringComparison.Ordinal));

        var stop = await service.StopAsync();
        Assert.Equal(0, stop.ExitCode);
        Assert.Contains("Silo 1 stopped gracefully", stop.Output);
        Assert.Contains("Silo 2 stopped gracefully", stop.Output);
        Assert.Empty(Directory.GetFiles(Path.Combine(service.Home, "run"), "*.pid"));
    }

    [Theory]
    [InlineData("start.sh", "--help", 0, "scripts/start.sh [--port 9000] [--silos 1]")]
    [InlineData("stop.sh", "--help", 0, "scripts/stop.sh [--timeout 60]")]
    [InlineData("maintenance.sh", "--help", 2, "scripts/maintenance.sh OPERATION")]
    [InlineData("backup.sh", "--help", 2, "scripts/backup.sh list")]
    [InlineData("status.sh", "--help", 0, "scripts/status.sh")]
    public async Task Help_shows_the_scripts_usage_and_none_of_its_code(string script, string argument, int exitCode, string usage)
    {
        var help = await Script.RunAsync(script, TestPaths.NewTempDirectory("help"), arguments: [argument]);

        Assert.Equal(exitCode, help.ExitCode);
        Assert.Contains(usage, help.All);
        Assert.DoesNotContain("set -euo pipefail", help.All);
        Assert.DoesNotContain("source ", help.All);
        Assert.DoesNotContain("# ", help.All);
    }

    /// <summary>The first of <paramref name="count"/> consecutive free loopback ports.</summary>
    private static int FreeRun(int count)
    {
        while (true)
        {
            var first = TestPorts.Free();
            if (Enumerable.Range(first + 1, count - 1).All(p => !InUse(p)))
            {
                return first;
            }
        }

        static bool InUse(int port)
        {
            try
            {
                using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                listener.Start();
                return false;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return true;
            }
        }
    }

    [Fact]
    public async Task Start_refuses_a_corrupt_database_with_instructions_and_leaves_it_untouched()
    {
        await using var service = new ScriptedService("corrupt-start");
        var file = Path.Combine(service.Home, "data", "system.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var garbage = new byte[16 * 1024];
        new Random(3).NextBytes(garbage);
        await File.WriteAllBytesAsync(file, garbage);

        var start = await service.StartAsync();

        Assert.Equal(1, start.ExitCode);
        Assert.Contains("left untouched", start.Error);
        Assert.Contains("scripts/backup.sh restore", start.Error);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(file));
        Assert.False(Directory.Exists(Path.Combine(service.Home, "run")) && Directory.GetFiles(Path.Combine(service.Home, "run"), "*.pid").Length > 0);
    }

    private static HttpClient Admin(ScriptedService service)
    {
        var client = new HttpClient { BaseAddress = service.Http.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        return client;
    }

    private static async Task<HttpStatusCode?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Waits, bounded, for an outside process to reach a state (a restart has no event to await).</summary>
    private static Task WaitForAsync(Func<Task<bool>> condition, string what) =>
        Eventually.WaitAsync(condition, what, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(200));
}
