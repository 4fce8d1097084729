using System.Globalization;
using System.Text.RegularExpressions;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Assistant.IntegrationTests.Operations;

/// <summary>
/// The guide's log analysis after a database lock, a timeout and a connection failure: every ERROR
/// line of those failures opens with the guide's word for it (<c>DatabaseError:</c>,
/// <c>TimeoutError:</c>, <c>ConnectionError:</c>), so the greps of docs/operations.md count them.
/// </summary>
public sealed partial class LogAnalysisTests
{
    [Fact]
    public async Task After_a_database_lock_a_timeout_and_a_connection_failure_the_guides_greps_count_each()
    {
        var directory = TestPaths.NewTempDirectory("log-analysis");
        var model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(model);
        settings["AI:TimeoutSeconds"] = "1";
        settings["AI:MaxRetries"] = "0";
        settings["Storage:CommandTimeoutSeconds"] = "1";
        await using var silo = await InProcessSilo.StartAsync(directory, settings);
        await silo.Http.SendAsync("analysis", "warm up");

        // A timeout: the model answers after the request's time limit.
        model.Delay = TimeSpan.FromSeconds(3);
        Assert.Equal("timeout", (await silo.Http.SendAsync("analysis", "slow")).GetProperty("failure").GetString());
        model.Delay = TimeSpan.Zero;

        // A database lock held past the busy timeout while an exchange is written.
        await using (var locker = new SqliteConnection($"Data Source={Path.Combine(directory, "data", "system.db")};Pooling=False"))
        {
            await locker.OpenAsync();
            await using (var begin = locker.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                await begin.ExecuteNonQueryAsync();
            }

            using var locked = await silo.Http.PostRawAsync("/sessions/analysis/messages", """{"text":"during the lock"}""");
            Assert.False(locked.IsSuccessStatusCode, $"the exchange could not be stored, so it was not answered ({(int)locked.StatusCode})");
        }

        // A connection failure: the model's server is gone.
        await model.DisposeAsync();
        Assert.Equal("connection_failed", (await silo.Http.SendAsync("analysis", "nobody there")).GetProperty("failure").GetString());

        var lines = File.ReadAllLines(Path.Combine(directory, "logs", "system.log"));
        var errors = lines.Where(l => LevelOf(l) is "ERROR" or "CRITICAL").ToList();
        Assert.Contains(errors, l => l.Contains("❌ TimeoutError: Session api:analysis: the model failed (timeout)", StringComparison.Ordinal));
        Assert.Contains(errors, l => l.Contains("❌ ConnectionError: Session api:analysis: the model failed (connection_failed)", StringComparison.Ordinal));
        Assert.Contains(errors, l => l.Contains("❌ DatabaseError: ", StringComparison.Ordinal));
        Assert.All(errors, l => Assert.Matches("❌ (TimeoutError|ConnectionError|DatabaseError): ", l)); // every error line here is one of the three, the model client's own included

        // The guide's counts, as docs/operations.md prints them, give those figures.
        Assert.Equal(lines.Count(l => LevelOf(l) == "ERROR").ToString(CultureInfo.InvariantCulture), (await Script.RunShellAsync("grep -c \"ERROR\" logs/system.log", directory)).Output.Trim());
        foreach (var category in Assistant.Logs.ErrorCategory.All)
        {
            var expected = errors.Count(l => l.Contains($"❌ {category}: ", StringComparison.Ordinal));
            Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), (await Script.RunShellAsync($"grep -c \"{category}\" logs/system.log", directory)).Output.Trim());
        }

        var documented = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "operations.md"));
        foreach (var command in new[] { "grep -c \"ERROR\" logs/system.log" }.Concat(Assistant.Logs.ErrorCategory.All.Select(c => $"grep -c \"{c}\" logs/system.log")))
        {
            Assert.Contains(command, documented, StringComparison.Ordinal);
        }
    }

    private static string? LevelOf(string line) => LevelField().Match(line) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} [\d:.]+ [+-]\d{2}:\d{2} - \S+ - (\S+) - ")]
    private static partial Regex LevelField();
}
