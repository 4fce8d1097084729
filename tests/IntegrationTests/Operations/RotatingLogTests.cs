using System.Diagnostics;
using System.Text;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Logs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Assistant.IntegrationTests.Operations;

/// <summary>
/// <c>logs/system.log</c> as the operations guide has it: always the file being written, its
/// backups <c>system.log.1</c> to <c>.3</c>, so <c>tail -f logs/system.log</c> and the guide's greps
/// read the live lines however much the service has logged.
/// </summary>
public sealed class RotatingLogTests
{
    [Fact]
    public async Task Past_the_size_limit_system_log_stays_the_live_file_and_tail_f_follows_it_across_the_roll()
    {
        var directory = TestPaths.NewTempDirectory("rotating");
        await using var silo = await InProcessSilo.StartAsync(directory, new Dictionary<string, string?> { ["Logs:FileSizeLimitMb"] = "1" });
        var logs = Path.Combine(directory, "logs");
        var live = Path.Combine(logs, "system.log");
        var start = new ProcessStartInfo("tail") { RedirectStandardOutput = true };
        foreach (var argument in new[] { "-n", "0", "-f", live })
        {
            start.ArgumentList.Add(argument);
        }

        using var tail = Process.Start(start)!;
        var followed = new StringBuilder();
        var seen = new TaskCompletionSource();
        tail.OutputDataReceived += (_, e) =>
        {
            lock (followed)
            {
                followed.AppendLine(e.Data);
            }

            if (e.Data?.Contains("the newest line", StringComparison.Ordinal) == true)
            {
                seen.TrySetResult();
            }
        };
        tail.BeginOutputReadLine();
        await Eventually.WaitAsync(() => Task.FromResult(OpenBy(tail.Id, live)), "tail to open system.log", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

        // 5 MB of lines through the service's own logger: five rolls of a 1 MB limit.
        var logger = silo.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Assistant.Tests.Rotation");
        var filler = new string('x', 1000);
        for (var i = 0; i < 5_000; i++)
        {
            logger.LogInformation("filler {Index} {Filler}", i, filler);
        }

        logger.LogInformation("the newest line");

        await seen.Task.WaitAsync(TimeSpan.FromSeconds(20));
        tail.Kill();
        Assert.EndsWith("the newest line", File.ReadAllLines(live).Last(), StringComparison.Ordinal);
        Assert.True(new FileInfo(live).Length <= 1024 * 1024, $"system.log is {new FileInfo(live).Length} bytes");
        Assert.Equal(
            ["system.log", "system.log.1", "system.log.2", "system.log.3"],
            Directory.GetFiles(logs, "system*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var lines = new[] { "system.log.3", "system.log.2", "system.log.1", "system.log" }.SelectMany(f => File.ReadAllLines(Path.Combine(logs, f))).ToList();
        var numbers = lines.Select(l => l.Split("filler ", 2)).Where(p => p.Length == 2).Select(p => int.Parse(p[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers); // the newest lines, in order, none lost or doubled
        Assert.Equal(4_999, numbers[^1]);
    }

    [Fact]
    public void Two_writers_sharing_the_folder_take_turns_and_lose_no_line_across_rolls()
    {
        var logs = TestPaths.NewTempDirectory("rotating-shared");
        using var first = new RotatingLog(logs, "system", 64 * 1024, backups: 50);
        using var second = new RotatingLog(logs, "system", 64 * 1024, backups: 50);
        Parallel.For(0, 4_000, i => (i % 2 == 0 ? first : second).Append(Encoding.UTF8.GetBytes($"line {i} {new string('y', 100)}\n")));

        var written = Directory.GetFiles(logs, "system.log*").SelectMany(File.ReadAllLines).ToList();
        Assert.All(written, l => Assert.Matches(@"^line \d+ y{100}$", l));
        Assert.Equal(Enumerable.Range(0, 4_000), written.Select(l => int.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).Order());
        Assert.True(File.Exists(RotatingLog.Backup(logs, "system", 5)), "it rolled");
    }

    [Fact]
    public void A_live_file_deleted_by_hand_is_made_again_and_every_writer_follows_it()
    {
        var logs = TestPaths.NewTempDirectory("rotating-deleted");
        using var first = new RotatingLog(logs, "system", 1024 * 1024, backups: 3);
        using var second = new RotatingLog(logs, "system", 1024 * 1024, backups: 3);
        first.Append("one\n"u8);
        second.Append("two\n"u8);

        File.Delete(Path.Combine(logs, "system.log")); // rm logs/system.log, or a logrotate without copytruncate
        first.Append("three\n"u8);
        second.Append("four\n"u8);

        Assert.Equal(["three", "four"], File.ReadAllLines(Path.Combine(logs, "system.log")));
    }

    [Fact]
    public void A_roll_that_fails_loses_no_line_shifts_no_backup_and_says_so_once_not_at_every_line()
    {
        var logs = TestPaths.NewTempDirectory("rotating-failed");
        using var log = new RotatingLog(logs, "system", 100, backups: 3);
        var problems = new List<string>();
        log.RollFailed += problems.Add;
        log.Append(Encoding.UTF8.GetBytes($"first {new string('a', 90)}\n"));
        log.Append(Encoding.UTF8.GetBytes($"second {new string('b', 90)}\n")); // rolls: first goes to .1
        File.WriteAllText(RotatingLog.Backup(logs, "system", 2), "older\n");

        // The copy cannot be made (a directory where it goes stands for a full disk or a bad permission).
        Directory.CreateDirectory(RotatingLog.Backup(logs, "system", 1) + ".partial");
        log.Append("third\n"u8);
        log.Append("fourth\n"u8);

        var problem = Assert.Single(problems);
        Assert.Contains("Could not roll", problem, StringComparison.Ordinal);
        Assert.Equal([$"second {new string('b', 90)}", "third", "fourth"], File.ReadAllLines(Path.Combine(logs, "system.log")));
        Assert.StartsWith("first ", File.ReadAllText(RotatingLog.Backup(logs, "system", 1)), StringComparison.Ordinal);
        Assert.Equal("older\n", File.ReadAllText(RotatingLog.Backup(logs, "system", 2)));
        Assert.False(File.Exists(RotatingLog.Backup(logs, "system", 3)), "a failed roll shifted the backups");
    }

    private static bool OpenBy(int pid, string path)
    {
        try
        {
            return Directory.GetFiles($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget == path);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
