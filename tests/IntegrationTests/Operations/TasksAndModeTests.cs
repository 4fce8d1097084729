using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Assistant.IntegrationTests.Operations;

/// <summary>Maintenance through the HTTP API: tasks run by the grain-based runner, and maintenance mode.</summary>
public sealed class TasksAndModeTests : IAsyncLifetime
{
    private const string Key = "ops-key";
    private InProcessSilo _silo = null!;
    private HttpClient _admin = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _directory = TestPaths.NewTempDirectory("tasks");

        // A task a crash left running, and one that has used up its attempts.
        var database = await TestDatabase.MigratedSqliteAsync(Path.Combine(_directory, "data", "system.db"));
        await using (var connection = new SqliteConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO server_tasks (type, status, attempts, started_at) VALUES ('analyze', 'running', 1, '2026-11-26 10:00:00');
                INSERT INTO server_tasks (type, status, attempts, started_at) VALUES ('reindex', 'running', 2, '2026-11-26 10:00:00');
                """;
            await insert.ExecuteNonQueryAsync();
        }

        _silo = await InProcessSilo.StartAsync(_directory, new Dictionary<string, string?> { ["Admin:ApiKey"] = Key });
        _admin = new HttpClient { BaseAddress = _silo.Http.BaseAddress };
        _admin.DefaultRequestHeaders.Add("X-Api-Key", Key);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _silo.DisposeAsync();
    }

    [Fact]
    public async Task A_maintenance_request_runs_as_a_task_listed_under_tasks_and_logged_to_the_tasks_log()
    {
        using (var refused = await _silo.Http.PostAsync("/maintenance/vacuum", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var response = await _admin.PostAsync("/maintenance/integrity-check", null);
        var task = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.Contains("\"summary\":\"ok\"", task.GetProperty("result").GetString());
        var listed = JsonDocument.Parse(await _admin.GetStringAsync("/tasks?status=completed&limit=10")).RootElement;
        Assert.Contains(listed.EnumerateArray(), t => t.GetProperty("id").GetInt64() == task.GetProperty("id").GetInt64());
        var log = ScriptedService.ReadShared(Path.Combine(_directory, "logs", "tasks.log"));
        Assert.Contains($"Task {task.GetProperty("id").GetInt64()} (integrity-check) completed", log);

        using var unknown = await _admin.PostAsync("/maintenance/polish", null);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        using var badStatus = await _admin.GetAsync("/tasks?status=lost");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
    }

    [Fact]
    public async Task Tasks_left_running_by_a_crash_are_retried_or_marked_failed_at_start()
    {
        var all = await Eventually.UntilAsync(
            async () => JsonDocument.Parse(await _admin.GetStringAsync("/tasks?limit=100")).RootElement.Clone(),
            tasks => tasks.EnumerateArray().Where(t => t.GetProperty("id").GetInt64() <= 2).All(t => t.GetProperty("status").GetString() is "completed" or "failed"),
            "the interrupted tasks to be handled", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));

        var analyze = all.EnumerateArray().Single(t => t.GetProperty("id").GetInt64() == 1);
        var reindex = all.EnumerateArray().Single(t => t.GetProperty("id").GetInt64() == 2);
        Assert.Equal(("completed", 2), (analyze.GetProperty("status").GetString(), analyze.GetProperty("attempts").GetInt32()));
        Assert.Equal("failed", reindex.GetProperty("status").GetString());
        Assert.Contains("Interrupted", reindex.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Maintenance_mode_turns_new_sessions_away_keeps_existing_ones_and_shows_in_health()
    {
        await _admin.SendAsync("existing", "hello before");

        using (var on = await _admin.PostAsJsonAsync("/maintenance/mode", new { enabled = true, message = "Back at 14:00." }))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }

        using (var health = JsonDocument.Parse(await _silo.Http.GetStringAsync("/health")))
        {
            Assert.True(health.RootElement.GetProperty("maintenance").GetBoolean());
            Assert.Equal("Back at 14:00.", health.RootElement.GetProperty("maintenance_message").GetString());
        }

        using (var refused = await _admin.PostAsJsonAsync("/sessions/newcomer/messages", new { text = "hi" }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("Back at 14:00.", await refused.Content.ReadAsStringAsync());
        }

        var existing = await _admin.SendAsync("existing", "still there?");
        Assert.Equal(4, existing.GetProperty("message_count").GetInt32());

        using (var off = await _admin.PostAsJsonAsync("/maintenance/mode", new { enabled = false }))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }

        await _admin.SendAsync("newcomer", "now?");
        Assert.Equal("""{"status":"healthy","telegram":"disabled"}""", await _silo.Http.GetStringAsync("/health"));
    }
}
