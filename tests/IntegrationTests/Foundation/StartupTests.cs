using System.Net.Http.Json;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>The real executable refusing bad settings and bad data with one clear line.</summary>
public sealed class StartupTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_corrupt_database_stops_startup_with_a_clear_message_and_the_file_is_not_overwritten()
    {
        var directory = TestPaths.NewTempDirectory("corrupt");
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        var file = Path.Combine(directory, "data", "system.db");
        var garbage = new byte[32 * 1024];
        new Random(11).NextBytes(garbage);
        await File.WriteAllBytesAsync(file, garbage);
        await using var silo = new SiloProcess(directory);

        silo.Start();
        var exitCode = await silo.WaitForExitAsync(ExitTimeout);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(silo.Output.Split('\n'), l => l.StartsWith("Startup failed:", StringComparison.Ordinal));
        Assert.Contains("Storage:DatabasePath", line);
        Assert.Contains(file, line);
        Assert.Contains("left untouched", line);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(file));
    }

    [Fact]
    public async Task A_port_that_is_not_a_number_is_named_in_the_error()
    {
        var directory = TestPaths.NewTempDirectory("badport");
        await using var silo = new SiloProcess(directory, new Dictionary<string, string> { ["Cluster__SiloPort"] = "abc" });

        silo.Start();
        var exitCode = await silo.WaitForExitAsync(ExitTimeout);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(silo.Output.Split('\n'), l => l.StartsWith("Startup failed:", StringComparison.Ordinal));
        Assert.Contains("Cluster:SiloPort", line);
        Assert.Contains("'abc'", line);
    }

    [Fact]
    public async Task A_negative_budget_an_unknown_time_zone_and_a_negative_message_rate_are_named_in_one_line()
    {
        var directory = TestPaths.NewTempDirectory("budget");
        await using var silo = new SiloProcess(directory, new Dictionary<string, string>
        {
            ["Budgets__UserDaily"] = "-1", ["Budgets__TimeZone"] = "Mars/Olympus", ["AI__Prices__m__InputPerMillion"] = "-2", ["Roles__User__MessagesPerMinute"] = "-3",
        });

        silo.Start();
        var exitCode = await silo.WaitForExitAsync(ExitTimeout);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(silo.Output.Split('\n'), l => l.StartsWith("Startup failed:", StringComparison.Ordinal));
        Assert.Contains("Budgets:UserDaily must be 0 (no limit) or more USD", line);
        Assert.Contains("Budgets:TimeZone must name a time zone", line);
        Assert.Contains("Roles:User:MessagesPerMinute must not be negative (was -3)", line);
        Assert.DoesNotContain("   at ", silo.Output);
    }

    [Fact]
    public async Task A_role_given_a_model_the_service_does_not_offer_is_named_in_one_line()
    {
        var directory = TestPaths.NewTempDirectory("roles");
        await using var silo = new SiloProcess(directory, new Dictionary<string, string>
        {
            ["AI__Endpoint"] = "http://127.0.0.1:9/v1", ["AI__Model"] = "m", ["AI__Models__0"] = "n", ["Roles__Guest__Models__0"] = "unknown-model",
        });

        silo.Start();
        Assert.Equal(2, await silo.WaitForExitAsync(ExitTimeout));
        var line = Assert.Single(silo.Output.Split('\n'), l => l.StartsWith("Startup failed:", StringComparison.Ordinal));
        Assert.Contains("Roles:Guest:Models names 'unknown-model', which is not one of AI:Model, AI:Models and AI:FallbackModels (m, n)", line);
    }

    [Fact]
    public async Task An_idle_time_Orleans_would_refuse_is_named_in_one_line_before_it_starts()
    {
        var directory = TestPaths.NewTempDirectory("idle");
        await using var silo = new SiloProcess(directory, new Dictionary<string, string> { ["Sessions__IdleMinutes"] = "0.5" });

        silo.Start();
        var exitCode = await silo.WaitForExitAsync(ExitTimeout);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(silo.Output.Split('\n'), l => l.StartsWith("Startup failed:", StringComparison.Ordinal));
        Assert.Contains("Sessions:IdleMinutes must be more than 1", line);
        Assert.DoesNotContain("Hosting failed to start", silo.Output);
        Assert.DoesNotContain("   at ", silo.Output); // no stack trace
    }

    [Fact]
    public async Task A_data_folder_that_cannot_be_created_is_named_in_the_error()
    {
        var directory = TestPaths.NewTempDirectory("badfolder");
        var blocker = Path.Combine(directory, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "a file where the data folder should be");
        await using var silo = new SiloProcess(directory, new Dictionary<string, string> { ["Storage__DatabasePath"] = "not-a-folder/data/system.db" });

        silo.Start();
        var exitCode = await silo.WaitForExitAsync(ExitTimeout);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(silo.Output.Split('\n'), l => l.StartsWith("Startup failed:", StringComparison.Ordinal));
        Assert.Contains("Storage:DatabasePath", line);
        Assert.Contains("cannot create folder", line);
    }

    [Fact]
    public async Task A_clean_start_logs_as_the_operations_guide_greps_and_writes_no_warning()
    {
        var directory = TestPaths.NewTempDirectory("logformat");
        var log = Path.Combine(directory, "logs", "system.log");
        await using var silo = new SiloProcess(directory);

        await silo.StartAndWaitHealthyAsync();
        for (var i = 0; i < 3; i++)
        {
            using var reply = await silo.Http.PostAsJsonAsync("/sessions/grep/messages", new { text = $"hello {i}" });
            reply.EnsureSuccessStatusCode();
        }

        await Eventually.UntilAsync(() => Task.FromResult(ReadShared(log)), text => text.Contains("💓 Health check:", StringComparison.Ordinal),
            "a health check line", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, await silo.StopAsync());
        var lines = await File.ReadAllLinesAsync(log);

        // Every line's level is one the guide writes, and a clean start and stop writes none at WARNING or above.
        var levels = lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\d{4}-\d{2}-\d{2} [\d:.]+ [+-]\d{2}:\d{2} - \S+ - (\S+) - "))
            .Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(levels);
        Assert.All(levels, level => Assert.Contains(level, new[] { "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL" }));
        var loud = lines.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, "(ERROR|WARNING|CRITICAL)")).ToList();
        Assert.True(loud.Count == 0, "Lines at WARNING or above:\n" + string.Join('\n', loud));

        // grep "Response time:" logs/system.log | awk '{print $NF}' | sort -n: one figure per reply.
        var times = lines.Where(l => l.Contains("Response time:", StringComparison.Ordinal)).Select(l => l.Split(' ')[^1]).ToList();
        Assert.Equal(3, times.Count);
        Assert.All(times, t => Assert.True(long.TryParse(t, out var ms) && ms >= 0, $"'{t}' is not a number of milliseconds"));

        // The health cycle's line, with the guide's fields, and the start-up and shutdown markers.
        var health = lines.First(l => l.Contains("💓 Health check:", StringComparison.Ordinal));
        Assert.Matches(@"score=[\d.]+ memory_mb=[\d.]+ memory_percent=[\d.]+ cpu_percent=[\d.]+ active_sessions=\d+", health);
        Assert.Contains(lines, l => l.Contains(" - INFO - 🚀 Assistant started: silo ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" - INFO - 🛑 Assistant stopped: silo ", StringComparison.Ordinal));

        // The runbook's `tail logs/telegram.log` works before Telegram has logged anything (here: never configured).
        Assert.Equal(0, new FileInfo(Path.Combine(directory, "logs", "telegram.log")).Length);
        Assert.True(File.Exists(Path.Combine(directory, "logs", "tasks.log")));
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    [Fact]
    public async Task Relative_paths_resolve_against_the_working_directory()
    {
        var directory = TestPaths.NewTempDirectory("paths");
        await using var silo = new SiloProcess(directory);

        await silo.StartAndWaitHealthyAsync();

        Assert.True(File.Exists(Path.Combine(directory, "data", "system.db")));
        Assert.True(File.Exists(Path.Combine(directory, "logs", "system.log")));
        Assert.Equal(0, await silo.StopAsync());
    }
}
