using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Autopilot;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Maintenance;

namespace Assistant.IntegrationTests.Operations;

/// <summary>
/// Background task priorities: a VACUUM (low priority) waits while a reply is in progress on the
/// silo or its CPU (a settable reading) is over the throttle level, says so in <c>/tasks</c>, lets
/// normal tasks go first, and runs at its deadline however busy the silo is. The service's clock
/// is fake: the deadline and the CPU re-check pass only when the test moves it.
/// </summary>
public sealed class TaskPriorityTests : IAsyncLifetime
{
    private AutopilotSilo _service = null!;

    public async Task InitializeAsync() =>
        _service = await AutopilotSilo.StartAsync("task-priority", new Dictionary<string, string?>
        {
            ["Maintenance:LowPriorityMaxWaitMinutes"] = "30",
            ["Maintenance:VacuumIntervalDays"] = "0",
            ["Maintenance:BackupIntervalHours"] = "0",
        });

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task A_VACUUM_waits_while_a_reply_runs_lets_a_normal_task_go_first_and_runs_when_the_reply_ends()
    {
        var release = new TaskCompletionSource();
        _service.Model.Enqueue(new FakeResponse.Held(release.Task, "slow answer"));
        var reply = _service.Http.SendAsync("busy-chat", "hello");
        await _service.Model.WaitForRequestsAsync(1);

        var vacuum = await EnqueueAsync(MaintenanceOperations.Vacuum);
        var waiting = await TaskAsync(vacuum, t => Deferred(t) is not null, "the VACUUM to say why it waits");
        Assert.Equal("pending", waiting.GetProperty("status").GetString());
        Assert.Equal("low", waiting.GetProperty("priority").GetString());
        Assert.Contains("a reply is in progress on this silo", Deferred(waiting));
        Assert.Contains("runs by 2026-11-26 12:30:00 UTC at the latest", Deferred(waiting));

        // A normal task queued behind it runs meanwhile.
        var analyze = await EnqueueAsync(MaintenanceOperations.Analyze);
        var analyzed = await TaskAsync(analyze, t => t.GetProperty("status").GetString() == "completed", "the ANALYZE to run first");
        Assert.Equal("normal", analyzed.GetProperty("priority").GetString());
        Assert.Null(Deferred(analyzed));
        Assert.Equal("pending", (await TaskAsync(vacuum, _ => true, "the VACUUM")).GetProperty("status").GetString());

        release.SetResult();
        Assert.Equal("slow answer", (await reply).GetProperty("reply").GetString());
        var done = await TaskAsync(vacuum, t => t.GetProperty("status").GetString() == "completed", "the VACUUM once the reply ended");
        Assert.StartsWith("waited ", Deferred(done));
        Assert.Contains("a reply is in progress", Deferred(done));
    }

    [Fact]
    public async Task A_VACUUM_waits_while_CPU_is_over_the_throttle_level_and_runs_at_its_deadline_regardless()
    {
        _service.Figures.CpuPercent = 95;
        var vacuum = await EnqueueAsync(MaintenanceOperations.Vacuum);
        var waiting = await TaskAsync(vacuum, t => Deferred(t) is not null, "the VACUUM to say why it waits");
        Assert.Contains("CPU on this silo is 95 %, over Monitoring:ThrottleCpuPercent (85 %)", Deferred(waiting));

        // Still busy after a re-check.
        _service.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("pending", (await TaskAsync(vacuum, _ => true, "the VACUUM")).GetProperty("status").GetString());

        // A minute before Maintenance:LowPriorityMaxWaitMinutes (30), and a re-check later, it still waits.
        _service.Clock.Advance(TimeSpan.FromMinutes(29) - TimeSpan.FromSeconds(6));
        _service.Clock.Advance(TimeSpan.FromSeconds(6));
        var before = await TaskAsync(vacuum, _ => true, "the VACUUM");
        Assert.Equal("pending", before.GetProperty("status").GetString());
        Assert.Contains("waiting since", Deferred(before));

        // Past it, it runs although CPU is still high.
        _service.Clock.Advance(TimeSpan.FromMinutes(2));
        await TaskAsync(vacuum, t => t.GetProperty("status").GetString() == "completed", "the VACUUM to run at its deadline");
        var done = await TaskAsync(vacuum, _ => true, "the VACUUM");
        Assert.Contains("then ran at its deadline", Deferred(done));
        Assert.Contains("Database rebuilt", done.GetProperty("result").GetString());
    }

    /// <summary>Null when absent (the API leaves out null fields).</summary>
    private static string? Deferred(JsonElement task) => task.TryGetProperty("deferred", out var deferred) ? deferred.GetString() : null;

    private Task<long> EnqueueAsync(string type) => _service.Silo.Grains.GetGrain<ITaskRunnerGrain>(0).EnqueueAsync(type);

    private Task<JsonElement> TaskAsync(long id, Func<JsonElement, bool> done, string what) => Eventually.UntilAsync(
        async () => JsonDocument.Parse(await _service.Http.GetStringAsync($"/tasks/{id}")).RootElement.Clone(),
        done,
        what,
        TimeSpan.FromSeconds(20),
        TimeSpan.FromMilliseconds(50));
}
