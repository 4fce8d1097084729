using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Scaling;

/// <summary>Every cluster-wide role, proven on three real silo processes sharing one SQLite file.</summary>
public sealed class ClusterRolesTests
{
    [Fact]
    public async Task Three_silos_have_one_poller_one_monitor_reports_over_all_silos_and_a_dashboard_showing_all()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(model);
        foreach (var (key, value) in TelegramSiloFixture.Settings(telegram))
        {
            settings[key] = value;
        }

        await using var cluster = new SiloCluster("roles", settings);
        for (var i = 0; i < 3; i++)
        {
            await cluster.StartSiloAsync();
        }

        // Every silo exports our series from its first scrape, also one that has hosted nothing yet.
        foreach (var silo in cluster.Silos)
        {
            var metrics = new PrometheusText(await silo.Http.GetStringAsync("/metrics"));
            Assert.Equal(0, metrics.Value("assistant_replies_in_progress", ("channel", "telegram")));
            Assert.Equal(0, metrics.Value("assistant_emergency_cleanups_total"));
        }

        // One poller: every silo names the same channel silo, and Telegram never sees two getUpdates at once (409).
        var polls = telegram.Calls.Count(c => c.Method == "getUpdates");
        await telegram.WaitForCallsAsync("getUpdates", polls + 5);
        var channels = await Task.WhenAll(cluster.Silos.Select(async s => (await GetJsonAsync(s, "/telegram/status")).GetProperty("channel_silo").GetString()));
        Assert.Single(channels.Distinct());
        Assert.Equal(0, telegram.Conflicts);

        // One monitor, seeing all three silos.
        var monitors = await Task.WhenAll(cluster.Silos.Select(s => GetJsonAsync(s, "/resources/status?refresh=true")));
        Assert.Single(monitors.Select(m => m.GetProperty("monitor_silo").GetString()).Distinct());
        Assert.All(monitors, m => Assert.Equal(3, m.GetProperty("silos").GetArrayLength()));
        Assert.Equal(3, monitors[0].GetProperty("health").GetProperty("current_resources").GetProperty("silos").GetInt32());

        // Sessions made through every silo, counted by one report from any of them.
        for (var i = 0; i < 12; i++)
        {
            await cluster.Silos[i % 3].Http.SendAsync($"roles-{i}", "hello");
        }

        var reports = await Task.WhenAll(cluster.Silos.Select(s => GetJsonAsync(s, "/sessions/report")));
        Assert.All(reports, r => Assert.Equal(12, r.GetProperty("active_sessions").GetInt32()));
        Assert.All(reports, r => Assert.Equal(3, r.GetProperty("silos").GetArrayLength()));
        Assert.Equal(12, reports[0].GetProperty("silos").EnumerateArray().Sum(s => s.GetProperty("active_sessions").GetInt32()));

        // The dashboard on any silo shows all three. Its counters are refreshed at most once a second
        // and start empty (a request arriving while a refresh runs gets the previous ones), so poll as
        // the dashboard page does.
        foreach (var silo in cluster.Silos)
        {
            var counters = await Eventually.UntilAsync(
                () => GetJsonAsync(silo, "/dashboard/DashboardCounters"), c => c.GetProperty("totalActiveHostCount").GetInt32() > 0,
                "the dashboard's first counters", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
            Assert.Equal(3, counters.GetProperty("totalActiveHostCount").GetInt32());
            Assert.Equal(3, counters.GetProperty("hosts").GetArrayLength());
        }
    }

    private static async Task<JsonElement> GetJsonAsync(SiloProcess silo, string path) =>
        JsonDocument.Parse(await silo.Http.GetStringAsync(path)).RootElement.Clone();
}
