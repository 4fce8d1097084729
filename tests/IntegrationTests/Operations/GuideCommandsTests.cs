using System.Text.RegularExpressions;
using Assistant.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Assistant.IntegrationTests.Operations;

/// <summary>
/// Every log command the README and docs/operations.md print (and the operations guide's own), run
/// as printed against a service whose <c>system.log</c> has rolled and whose backups the daily
/// lifecycle has compressed: none fails, and those that should find something do.
/// </summary>
public sealed partial class GuideCommandsTests
{
    /// <summary>The operations guide's commands, word for word.</summary>
    private static readonly string[] Guide =
    [
        "grep \"emergency\\|critical\\|warning\" logs/system.log",
        "grep -E \"(ERROR|WARNING|CRITICAL)\" logs/system.log",
        "grep \"Response time:\" logs/system.log | awk '{print $NF}' | sort -n",
        "tail -n 20 logs/system.log",
    ];

    [Fact]
    public async Task The_guides_and_the_docs_log_commands_work_as_printed_on_a_service_that_has_rolled_its_logs()
    {
        var directory = TestPaths.NewTempDirectory("guide-commands");
        await using var silo = await InProcessSilo.StartAsync(directory, new Dictionary<string, string?>
        {
            ["Logs:FileSizeLimitMb"] = "1",
            ["Monitoring:HealthScoreWarning"] = "100", // an alert in the live file
            ["Monitoring:HealthScoreSustainedSeconds"] = "0",

            // Raised again by the refresh below: a health cycle that ran before the filler rolled
            // the log would otherwise, within the cooldown, leave the alert only in the backup
            // (seen once in a full run).
            ["Monitoring:AlertCooldownMinutes"] = "0.001",
            ["Admin:ApiKey"] = "guide-key",
        });
        silo.Http.DefaultRequestHeaders.Add("X-Api-Key", "guide-key");

        // Past the limit, then what the commands look for, then the daily lifecycle over the backups.
        var logger = silo.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Assistant.Tests.Filler");
        for (var i = 0; i < 1_500; i++)
        {
            logger.LogInformation("filler {Index} {Text}", i, new string('x', 1000));
        }

        for (var i = 0; i < 3; i++)
        {
            await silo.Http.SendAsync("guide", $"hello {i}");
        }

        using (var refresh = await silo.Http.GetAsync("/resources/status?refresh=true"))
        {
            refresh.EnsureSuccessStatusCode();
        }

        using (var lifecycle = await silo.Http.PostAsync("/maintenance/logs", null))
        {
            lifecycle.EnsureSuccessStatusCode();
        }

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(directory, "logs", "archive"), "system-*.log.gz"));
        Assert.False(File.Exists(Path.Combine(directory, "logs", "system.log.1")), "the lifecycle compressed the backup");

        var commands = Guide.Concat(Documented("README.md")).Concat(Documented(Path.Combine("docs", "operations.md"))).Distinct().ToList();
        Assert.True(commands.Count >= 15, $"{commands.Count} commands found:\n{string.Join('\n', commands)}");
        foreach (var command in commands)
        {
            var run = await Script.RunShellAsync(command, directory);
            Assert.True(run.ExitCode is 0 or 1 && run.Error.Length == 0, $"`{command}` exited {run.ExitCode}: {run.Error}");
            if (FindsSomething(command))
            {
                Assert.True(run.Output.Trim().Length > 0, $"`{command}` found nothing");
            }
        }
    }

    /// <summary>What the live file must show after the traffic above: starts, replies, the health check, the alert.</summary>
    private static bool FindsSomething(string command) =>
        command.Contains("Response time:", StringComparison.Ordinal) || command.Contains("💓", StringComparison.Ordinal)
        || command.Contains("emergency\\|critical\\|warning", StringComparison.Ordinal) || command.Contains("(ERROR|WARNING|CRITICAL)", StringComparison.Ordinal)
        || command.StartsWith("tail", StringComparison.Ordinal) || command.StartsWith("ls logs/archive", StringComparison.Ordinal);

    /// <summary>The shell commands on logs a document prints: lines of its code blocks and inline code.</summary>
    private static IEnumerable<string> Documented(string file)
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, file));
        var inBlock = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock;
                continue;
            }

            if (inBlock)
            {
                line = line.StartsWith("$ ", StringComparison.Ordinal) ? line[2..] : line;
                if (IsLogCommand(line))
                {
                    yield return line;
                }
            }
            else
            {
                foreach (Match inline in InlineCode().Matches(raw))
                {
                    if (IsLogCommand(inline.Groups[1].Value))
                    {
                        yield return inline.Groups[1].Value;
                    }
                }
            }
        }
    }

    private static bool IsLogCommand(string line) =>
        line.Contains("logs/", StringComparison.Ordinal) && Regex.IsMatch(line, @"^(grep|tail|ls|zcat|cat) ") && !line.Contains(" -f ", StringComparison.Ordinal);

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex InlineCode();
}
