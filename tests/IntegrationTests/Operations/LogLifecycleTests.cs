using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Logs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Assistant.IntegrationTests.Operations;

/// <summary>
/// The log lifecycle on real files of chosen ages: tasks.log rotated by day, rotated logs gzipped
/// into archive/, old archives moved to cold storage and the oldest there deleted; on demand from
/// the command line and through the API.
/// </summary>
public sealed class LogLifecycleTests
{
    [Fact]
    public void Rotated_logs_are_compressed_old_archives_move_to_cold_storage_and_the_oldest_are_deleted()
    {
        var directory = TestPaths.NewTempDirectory("lifecycle");
        var logs = Path.Combine(directory, "logs");
        var cold = Path.Combine(directory, "cold");
        var now = DateTime.Now;
        Write(logs, "tasks.log", "yesterday's tasks\n", now.AddDays(-1));
        Write(logs, $"tasks-{now.AddDays(-3):yyyyMMdd}.log", "three days ago\n", now.AddDays(-3));
        Write(logs, $"tasks-{now.AddDays(-10):yyyyMMdd}.log", "ten days ago\n", now.AddDays(-10));
        Write(logs, "system.log", "being written\n", now);
        Write(logs, "system.log.1", new string('a', 50_000), now.AddHours(-5));
        Write(logs, "system.log.2", new string('b', 50_000), now.AddHours(-7));
        Write(logs, "system_001.log", "rolled by an older build\n", now.AddHours(-30));
        Write(logs, "telegram.log", "the only telegram file\n", now.AddDays(-2));
        Write(Path.Combine(logs, "archive"), "system_007.log.gz", "forty days old", now.AddDays(-40));
        Write(Path.Combine(logs, "archive"), "system_008.log.gz", "twenty days old", now.AddDays(-20));
        Write(cold, "system_003.log.gz", "a hundred days old", now.AddDays(-100));
        Write(cold, "system_004.log.gz", "fifty days old", now.AddDays(-50));
        var lifecycle = new LogLifecycle(
            Options.Create(new LogsOptions { Directory = logs, ColdStorageDirectory = cold, TaskLogDays = 7, ColdStorageDays = 30, DeleteAfterDays = 90 }),
            TimeProvider.System,
            NullLogger<LogLifecycle>.Instance);

        var report = lifecycle.Run();

        Assert.Equal([$"tasks-{now.AddDays(-1):yyyyMMdd}.log"], report.Rotated);
        var first = $"system-{now.AddHours(-5):yyyyMMdd-HHmmss}.log";
        var second = $"system-{now.AddHours(-7):yyyyMMdd-HHmmss}.log";
        Assert.Equal([second, first, "system_001.log"], report.Compressed);
        Assert.Equal(["system_007.log.gz"], report.Moved);
        Assert.Equal([$"tasks-{now.AddDays(-10):yyyyMMdd}.log", "system_003.log.gz"], report.Deleted); // task logs are kept Logs:TaskLogDays, as the guide says
        Assert.Empty(report.Problems);
        Assert.True(report.BytesSaved > 90_000, $"{report.BytesSaved} bytes saved");

        // What is left where: the live files and the recent days untouched, no backup left beside
        // them; each archive holds its log exactly and carries the log's own age.
        Assert.Equal(
            ["system.log", $"tasks-{now.AddDays(-3):yyyyMMdd}.log", $"tasks-{now.AddDays(-1):yyyyMMdd}.log", "telegram.log"],
            Directory.GetFiles(logs, "*.log*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("being written\n", File.ReadAllText(Path.Combine(logs, "system.log")));
        Assert.Equal(new string('a', 50_000), Gunzip(Path.Combine(logs, "archive", first + ".gz")));
        Assert.Equal(new string('b', 50_000), Gunzip(Path.Combine(logs, "archive", second + ".gz")));
        Assert.Equal(now.AddHours(-5), File.GetLastWriteTime(Path.Combine(logs, "archive", first + ".gz")), TimeSpan.FromSeconds(1));
        Assert.Equal(["system_004.log.gz", "system_007.log.gz"], Directory.GetFiles(cold).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(logs, "archive", "system_008.log.gz")));

        var again = lifecycle.Run();
        Assert.Empty(again.Rotated.Concat(again.Compressed).Concat(again.Moved).Concat(again.Deleted));
    }

    [Fact]
    public void With_Logs_ArchiveTaskLogs_old_task_logs_are_compressed_into_the_archive_instead()
    {
        var logs = Path.Combine(TestPaths.NewTempDirectory("lifecycle-archive"), "logs");
        var now = DateTime.Now;
        var old = $"tasks-{now.AddDays(-10):yyyyMMdd}.log";
        Write(logs, old, "ten days ago\n", now.AddDays(-10));
        Write(logs, $"tasks-{now.AddDays(-3):yyyyMMdd}.log", "three days ago\n", now.AddDays(-3));
        var lifecycle = new LogLifecycle(
            Options.Create(new LogsOptions { Directory = logs, ColdStorageDirectory = Path.Combine(logs, "cold"), ArchiveTaskLogs = true }),
            TimeProvider.System,
            NullLogger<LogLifecycle>.Instance);

        var report = lifecycle.Run();

        Assert.Equal([old], report.Compressed);
        Assert.Empty(report.Deleted);
        Assert.Equal("ten days ago\n", Gunzip(Path.Combine(logs, "archive", old + ".gz")));
    }

    [Fact]
    public void The_tasks_log_is_written_under_its_name_and_a_write_on_a_later_day_rotates_it_first()
    {
        var logs = TestPaths.NewTempDirectory("dailylog");
        var sink = new Silo.Hosting.DailyFileSink(logs, "tasks", new Serilog.Formatting.Display.MessageTemplateTextFormatter("{Message}{NewLine}"));
        Write(logs, "tasks.log", "from two days ago\n", DateTime.Now.AddDays(-2));

        sink.Emit(new Serilog.Events.LogEvent(DateTimeOffset.Now, Serilog.Events.LogEventLevel.Information, null, new Serilog.Parsing.MessageTemplateParser().Parse("today"), []));

        Assert.Equal("today\n", File.ReadAllText(Path.Combine(logs, "tasks.log")));
        Assert.Equal("from two days ago\n", File.ReadAllText(Path.Combine(logs, $"tasks-{DateTime.Now.AddDays(-2):yyyyMMdd}.log")));
    }

    [Fact]
    public async Task The_command_line_and_the_api_run_it_and_say_what_they_did()
    {
        var directory = TestPaths.NewTempDirectory("lifecycle-cli");
        var logs = Path.Combine(directory, "logs");
        var old = $"tasks-{DateTime.Now.AddDays(-12):yyyyMMdd}.log";
        Write(logs, old, "twelve days ago\n", DateTime.Now.AddDays(-12));
        var environment = new Dictionary<string, string>
        {
            ["ASSISTANT_HOME"] = directory,
            ["ASSISTANT_CONFIGURATION"] = TestPaths.Configuration,
            ["ASSISTANT_NO_BUILD"] = "1",
        };

        var run = await Script.RunAsync("maintenance.sh", directory, environment, arguments: "logs");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith($"logs: {logs}: rotated 0, compressed 0 (", run.Output);
        Assert.Contains("deleted 1", run.Output);
        Assert.False(File.Exists(Path.Combine(logs, old)));

        // Through the API, with the admin key, on every silo of a running service.
        Write(logs, old, "twelve days ago, again\n", DateTime.Now.AddDays(-12));
        await using var silo = await InProcessSilo.StartAsync(directory, new Dictionary<string, string?> { ["Admin:ApiKey"] = "ops-key" });
        using (var refused = await silo.Http.PostAsync("/maintenance/logs", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var admin = new HttpClient { BaseAddress = silo.Http.BaseAddress };
        admin.DefaultRequestHeaders.Add("X-Api-Key", "ops-key");
        using var response = await admin.PostAsync("/maintenance/logs", null);
        var task = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(task.GetProperty("result").GetString()!).RootElement;
        Assert.Equal([old], result.GetProperty("deleted").EnumerateArray().Select(e => e.GetString()));
    }

    private static void Write(string folder, string name, string text, DateTime lastWrite)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        File.SetLastWriteTime(path, lastWrite);
    }

    private static string Gunzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        return new StreamReader(gzip).ReadToEnd();
    }
}
