using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Scaling;

/// <summary>
/// A budget holds across silos: turns at once in sessions held by two silo processes (one SQLite
/// file) reserve against the one spend grain, so together they cannot pass the global daily budget;
/// the admin chat is told once when it is half used (<c>Budgets:WarningPercent</c>) and once when it refuses.
/// </summary>
public sealed class BudgetAcrossSilosTests
{
    private const decimal GlobalDaily = 0.30m;

    [Fact]
    public async Task Turns_at_once_on_two_silos_stop_at_the_global_budget_and_the_refused_never_reach_the_model()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        model.Delay = TimeSpan.FromMilliseconds(300); // the turns overlap: their holds are in flight together
        var settings = ModelSiloFixture.Settings(model);
        foreach (var (key, value) in TelegramSiloFixture.Settings(telegram))
        {
            settings[key] = value;
        }

        settings["AI:Prices:fake-model:InputPerMillion"] = "1000";
        settings["AI:Prices:fake-model:OutputPerMillion"] = "1000";
        settings["Budgets:GlobalDaily"] = GlobalDaily.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Budgets:ReserveOutputTokens"] = "20";
        settings["Budgets:WarningPercent"] = "50"; // surely passed on the way to the limit, whatever the last hold
        settings["Sessions:Summaries"] = "false";
        await using var cluster = new SiloCluster("budget", settings);
        var silos = new[] { await cluster.StartSiloAsync(), await cluster.StartSiloAsync() };

        // Forty messages at once, half through each silo, each in a session of its own.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => PostAsync(silos[i % 2].Http, $"together-{i}", $"at once {i}")));
        var answered = outcomes.Count(o => o == HttpStatusCode.OK);
        Assert.All(outcomes, o => Assert.True(o is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, o.ToString()));
        var reports = await Task.WhenAll(silos.Select(s => GetJsonAsync(s.Http, "/sessions/report")));
        Assert.All(reports, r => Assert.True(r.GetProperty("active_sessions").GetInt32() > 0, "a silo held none of the sessions"));

        // Then one at a time, each once the calls before it are recorded (off the replies' paths), until the budget refuses.
        for (var i = 0; i < 60; i++)
        {
            await RecordedAsync(silos[i % 2].Http, answered);
            var outcome = await PostAsync(silos[i % 2].Http, $"after-{i}", $"then {i}");
            if (outcome != HttpStatusCode.OK)
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, outcome);
                break;
            }

            answered++;
        }

        Assert.Equal(answered, model.Requests.Count); // a refused message never reached the model
        var usage = await RecordedAsync(silos[1].Http, answered);
        var spent = usage.GetProperty("global").GetProperty("today").GetProperty("cost_usd").GetDecimal();
        var reported = model.Reported.ToList();
        Assert.Equal(reported.Sum(r => (long)(r.Prompt + r.Completion)) * 0.001m, spent);
        Assert.InRange(spent, GlobalDaily - 0.1m, GlobalDaily); // used up (the last refused turn's hold, under US$0.1, did not fit), never passed
        Assert.Equal(0m, usage.GetProperty("global").GetProperty("held_usd").GetDecimal());

        // The admin chat heard of it once each: half used, then refusing.
        await telegram.WaitUntilAsync(TelegramSiloFixture.Admin, m => m.Any(x => x.Text.Contains("budget_exhausted", StringComparison.Ordinal)), "the budget_exhausted alert", TimeSpan.FromSeconds(60));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, await PostAsync(silos[i % 2].Http, $"refused-{i}", "still refused"));
        }

        await Eventually.UntilAsync(() => GetJsonAsync(silos[0].Http, "/resources/status"), s => s.GetProperty("alert_delivery").GetProperty("pending").GetInt32() == 0,
            "the alert outbox emptied", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));
        var alerts = telegram.BotMessages(TelegramSiloFixture.Admin).Select(m => m.Text).ToList();
        Assert.Single(alerts, a => a.Contains("MEDIUM budget_warning", StringComparison.Ordinal) && a.Contains("of its daily budget of US$0.30", StringComparison.Ordinal));
        Assert.Single(alerts, a => a.Contains("HIGH budget_exhausted", StringComparison.Ordinal) && a.Contains("Budgets:GlobalDaily", StringComparison.Ordinal));

        // Each silo's scrape shows the cluster's share of the budget used, as GET /usage has it.
        var share = (double)(spent / GlobalDaily);
        foreach (var silo in silos)
        {
            await Eventually.UntilAsync(
                async () => new PrometheusText(await silo.Http.GetStringAsync("/metrics")) is var m && m.Has("assistant_budget_used_ratio") ? m.Value("assistant_budget_used_ratio", ("scope", "global_daily")) : -1,
                ratio => Math.Abs(ratio - share) < 1e-9, $"assistant_budget_used_ratio of {share} on {silo.SiloPort}", TimeSpan.FromSeconds(40), TimeSpan.FromMilliseconds(500));
        }
    }

    /// <summary>The service's figures once every answered call is recorded and no hold is left.</summary>
    private static Task<JsonElement> RecordedAsync(HttpClient http, int answered) =>
        Eventually.UntilAsync(
            () => GetJsonAsync(http, "/usage"),
            u => u.GetProperty("global").GetProperty("today").GetProperty("calls").GetInt32() == answered && u.GetProperty("global").GetProperty("held_usd").GetDecimal() == 0,
            $"{answered} calls recorded and no hold left", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, string session, string text)
    {
        using var response = await http.PostAsJsonAsync($"/sessions/{session}/messages", new { text });
        return response.StatusCode;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path) =>
        JsonDocument.Parse(await http.GetStringAsync(path)).RootElement.Clone();
}
