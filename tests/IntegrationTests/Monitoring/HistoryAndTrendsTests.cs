using System.Net.Http.Json;
using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Monitoring;

namespace Assistant.IntegrationTests.Monitoring;

/// <summary>The health history in the database: read back after a restart, summarised daily, compacted, and turned into trends and capacity.</summary>
public sealed class HistoryAndTrendsTests
{
    [Fact]
    public async Task The_history_is_read_back_after_a_restart()
    {
        var directory = TestPaths.NewTempDirectory("history");
        var before = new List<string>();
        await using (var first = await InProcessSilo.StartAsync(directory))
        {
            for (var i = 0; i < 2; i++)
            {
                var status = JsonDocument.Parse(await first.Http.GetStringAsync("/resources/status?refresh=true&history=10")).RootElement;
                before = [.. status.GetProperty("history").EnumerateArray().Select(s => s.GetProperty("timestamp").GetString()!)];
            }
        }

        Assert.NotEmpty(before);
        await using var second = await InProcessSilo.StartAsync(directory);
        var after = JsonDocument.Parse(await second.Http.GetStringAsync("/resources/status?history=50")).RootElement
            .GetProperty("history").EnumerateArray().Select(s => s.GetProperty("timestamp").GetString()!).ToList();

        Assert.All(before, t => Assert.Contains(t, after));
        Assert.True(after.Count > before.Count, "the new activation adds its own samples after the stored ones");
    }

    [Fact]
    public async Task Each_reply_is_counted_once_in_the_history_however_many_cycles_see_it_in_their_window()
    {
        var directory = TestPaths.NewTempDirectory("history-replies");
        await using var silo = await InProcessSilo.StartAsync(directory);
        await silo.Http.GetStringAsync("/resources/status?refresh=true");
        for (var i = 0; i < 3; i++)
        {
            using var reply = await silo.Http.PostAsJsonAsync("/sessions/counted/messages", new { text = $"hello {i}" });
            reply.EnsureSuccessStatusCode();
        }

        for (var i = 0; i < 4; i++)
        {
            await silo.Http.GetStringAsync("/resources/status?refresh=true"); // every one of these sees the three replies in its window
        }

        var rows = await new HealthHistoryStore(TestDatabase.Sqlite(Path.Combine(directory, "data", "system.db")))
            .ReadAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(3, rows.Sum(r => r.Sample.Replies));
        Assert.True(rows[^1].Sample.ReplyP95Ms >= rows[^1].Sample.ReplyP50Ms);
        Assert.Equal(1, rows[^1].Silos);
    }

    [Fact]
    public async Task Thirty_days_of_history_give_daily_baselines_growth_peak_and_capacity()
    {
        var directory = TestPaths.NewTempDirectory("trends");
        var database = await TestDatabase.MigratedSqliteAsync(Path.Combine(directory, "data", "system.db"));
        var store = new HealthHistoryStore(database);
        var now = DateTimeOffset.UtcNow;
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);

        // Every 20 minutes for 30 days: sessions grow by 2 a day with a peak of +30 at 14:00 UTC,
        // and memory is 200 MB plus 0.5 MB per session.
        for (var day = 29; day >= 0; day--)
        {
            for (var at = today.AddDays(-day); at < today.AddDays(1 - day) && at <= now; at = at.AddMinutes(20))
            {
                var sessions = 20 + (2 * (29 - day)) + (at.Hour == 14 ? 30 : 0);
                await store.AddAsync(new HealthSample(at, 80, 200 + (0.5 * sessions), 10, sessions, 12, 900, 1500, new Dictionary<string, long> { ["timeout"] = 1 }), 30, 1);
            }
        }

        // The daily runs, as the monitor's reminder makes them, one each morning.
        for (var day = 28; day >= 0; day--)
        {
            await store.DailyAsync(today.AddDays(-day).AddMinutes(5), historyDays: 90);
        }

        // Compacted: hourly means after a week, 5-minute rows in between, the raw rows of the last day.
        var old = await store.ReadAsync(today.AddDays(-10), today.AddDays(-9));
        Assert.Equal(24, old.Count);
        Assert.All(old, r => Assert.Equal(3600, r.ResolutionSeconds));
        Assert.Equal(3 * 12, old.Single(r => r.Sample.Timestamp.Hour == 0).Sample.Replies); // three 20-minute rows summed
        Assert.All(await store.ReadAsync(today.AddDays(-3), today.AddDays(-2)), r => Assert.Equal(300, r.ResolutionSeconds));

        await using var silo = await InProcessSilo.StartAsync(directory);
        var trends = JsonDocument.Parse(await silo.Http.GetStringAsync("/resources/trends?days=30")).RootElement;

        var daily = trends.GetProperty("daily").EnumerateArray().ToList();
        Assert.InRange(daily.Count, 29, 30); // 29 finished days and today's so far (none in the first minute after midnight)
        var yesterday = daily.Single(d => d.GetProperty("day").GetString() == today.AddDays(-1).ToString("yyyy-MM-dd"));
        Assert.Equal(72, yesterday.GetProperty("samples").GetInt32());
        Assert.Equal(20 + (2 * 28), yesterday.GetProperty("sessions").GetProperty("p50").GetDouble());
        Assert.Equal(20 + (2 * 28) + 30, yesterday.GetProperty("sessions").GetProperty("max").GetDouble());
        Assert.Equal(14, yesterday.GetProperty("peak_hour").GetInt32());
        Assert.Equal(72, yesterday.GetProperty("errors").GetProperty("timeout").GetInt64());
        Assert.Equal(1500, yesterday.GetProperty("response_ms").GetProperty("p95").GetDouble());

        var growth = trends.GetProperty("growth");
        Assert.Equal(1.0, growth.GetProperty("memory_mb_per_day").GetDouble(), 1);
        Assert.Equal(2.0, growth.GetProperty("sessions_per_day").GetDouble(), 1);
        Assert.Equal(14, trends.GetProperty("peak").GetProperty("hour_of_day").GetInt32());

        var capacity = trends.GetProperty("capacity");
        Assert.Equal(0.5, capacity.GetProperty("memory_per_session_mb").GetDouble(), 2);
        Assert.Equal(200, capacity.GetProperty("baseline_memory_mb_per_silo").GetDouble(), 0);
        Assert.InRange(capacity.GetProperty("sessions_before_emergency").GetInt32(), 795, 800); // (600 - 200) / 0.5, a silo's own samples added
        Assert.True(capacity.GetProperty("holds_doubled_peak").GetBoolean());

        using var bad = await silo.Http.GetAsync("/resources/trends?days=0");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
