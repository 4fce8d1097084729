using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;
using Assistant.Spending;
using Assistant.Telegram;
using Orleans.Core.Internal;

namespace Assistant.IntegrationTests.Spending;

/// <summary>
/// Budgets enforced before the model is called: a user's answers stop at their daily budget, the
/// refused messages never reach the model, what was spent is what the endpoint reported, priced.
/// </summary>
[Collection(BudgetCollection.Name)]
public sealed class BudgetTests(BudgetFixture fixture) : IDisposable
{
    private const long Ann = TelegramSiloFixture.Member;

    public void Dispose() => fixture.Model.Reset();

    [Fact]
    public async Task Answers_stop_at_the_daily_budget_and_the_refused_messages_never_reach_the_model()
    {
        var answered = 0;
        string? refusal = null, refused = null;
        for (var i = 0; i < 40 && refusal is null; i++)
        {
            var text = $"question {i}";
            var reply = await AskAsync(Ann, text);
            if (reply.StartsWith("Echo:", StringComparison.Ordinal))
            {
                answered++;
            }
            else
            {
                (refusal, refused) = (reply, text);
            }
        }

        Assert.NotNull(refusal);
        Assert.True(answered >= 2, $"only {answered} answers before the budget refused");
        Assert.Contains("You have used your daily budget (US$0.20)", refusal);
        Assert.Matches(@"It resets at \d{4}-\d{2}-\d{2} 00:00 UTC, in \d+ (h|min)", refusal);
        Assert.DoesNotContain(fixture.Model.Requests, r => r.LastUserText == refused);
        Assert.StartsWith("You have used your daily budget", await AskAsync(Ann, "one more, please"));
        Assert.DoesNotContain(fixture.Model.Requests, r => r.LastUserText == "one more, please");

        // What was spent is what the endpoint reported, at the configured price, and within the budget.
        var spent = await SettledAsync(Spender.TelegramUser(Ann));
        var reported = fixture.Model.Reported.ToList();
        Assert.Equal(answered, reported.Count);
        Assert.Equal(reported.Sum(r => (long)r.Prompt), spent.Today.InputTokens);
        Assert.Equal(reported.Sum(r => (long)r.Completion), spent.Today.OutputTokens);
        Assert.Equal((spent.Today.InputTokens + spent.Today.OutputTokens) * BudgetFixture.PerToken, spent.Today.CostUsd);
        Assert.InRange(spent.Today.CostUsd, 0.01m, BudgetFixture.UserDaily);
        Assert.Equal(0, spent.Held);

        var usage = await AskAsync(Ann, "/usage");
        Assert.Contains($"Today ({spent.Day}): {answered} model calls", usage);
        Assert.Contains($"US${spent.Today.CostUsd:0.00##} of your US$0.20 limit", usage);

        using var admin = fixture.AdminClient();
        var metrics = new PrometheusText(await admin.GetStringAsync("/metrics"));
        Assert.True(metrics.Sum("assistant_budget_refusals_total", ("scope", "user_daily")) >= 2);
        Assert.True(metrics.Sum("assistant_model_tokens_total", ("kind", "input"), ("model", "fake-model")) >= spent.Today.InputTokens);
        Assert.True(metrics.Sum("assistant_model_tokens_total", ("kind", "output"), ("model", "fake-model")) >= spent.Today.OutputTokens);
        Assert.True(metrics.Sum("assistant_model_cost_usd_total", ("model", "fake-model")) >= (double)spent.Today.CostUsd - 1e-9);
    }

    [Fact]
    public async Task Over_HTTP_a_session_past_its_budget_gets_429_with_retry_after_and_the_model_is_not_called()
    {
        using var admin = fixture.AdminClient();
        var session = $"budget-{Guid.NewGuid():N}";
        HttpResponseMessage? refusedResponse = null;
        string? refused = null;
        for (var i = 0; i < 40 && refusedResponse is null; i++)
        {
            var text = $"http question {i}";
            var response = await admin.PostAsJsonAsync($"/sessions/{session}/messages", new { text });
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                (refusedResponse, refused) = (response, text);
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                response.Dispose();
            }
        }

        using (refusedResponse)
        {
            Assert.NotNull(refusedResponse);
            var retryAfter = refusedResponse.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
            var problem = await refusedResponse.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Budget used", problem.GetProperty("title").GetString());
            Assert.Contains("daily budget (US$0.20)", problem.GetProperty("detail").GetString());
        }

        Assert.DoesNotContain(fixture.Model.Requests, r => r.LastUserText == refused);
    }

    [Fact]
    public async Task A_fallback_model_is_held_for_at_its_own_price_before_it_is_called()
    {
        fixture.Model.Responder = request => request.Model == "fake-model" ? new FakeResponse.Status(503) : FakeOpenAiServer.Echo(request);
        using var admin = fixture.AdminClient();
        using var response = await admin.PostAsJsonAsync($"/sessions/fallback-{Guid.NewGuid():N}/messages", new { text = "is anyone there?" });

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Contains("daily budget (US$0.20)", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Contains(fixture.Model.Requests, r => r.Model == "fake-model");
        Assert.DoesNotContain(fixture.Model.Requests, r => r.Model == "fake-backup");
    }

    [Fact]
    public async Task An_endpoint_that_reports_no_usage_is_counted_by_the_tokenizer_within_ten_percent_of_what_it_would_report()
    {
        // Japanese, where "four characters a token" is far off: the count must come from a tokenizer.
        var question = string.Concat(Enumerable.Repeat("今日の天気と明日の予定を教えてください。", 5));
        using var admin = fixture.AdminClient();
        var reportedSession = $"reported-{Guid.NewGuid():N}";
        await AskOverHttpAsync(admin, reportedSession, question);
        var reported = await SettledAsync(SessionKey.Api(reportedSession));
        Assert.Single(fixture.Model.Reported);

        fixture.Model.ReportsUsage = false;
        var countedSession = $"unreported-{Guid.NewGuid():N}";
        await AskOverHttpAsync(admin, countedSession, question);
        var counted = await SettledAsync(SessionKey.Api(countedSession)); // the cost is recorded off the reply's path
        Assert.Single(fixture.Model.Reported); // the second answer reported nothing

        Assert.Equal(1, counted.Today.Calls);
        Assert.InRange(counted.Today.InputTokens, reported.Today.InputTokens * 0.9, reported.Today.InputTokens * 1.1);
        Assert.InRange(counted.Today.OutputTokens, reported.Today.OutputTokens * 0.9, reported.Today.OutputTokens * 1.1);
        Assert.Equal((counted.Today.InputTokens + counted.Today.OutputTokens) * BudgetFixture.PerToken, counted.Today.CostUsd);
    }

    private static async Task AskOverHttpAsync(HttpClient client, string session, string text)
    {
        using var response = await client.PostAsJsonAsync($"/sessions/{session}/messages", new { text });
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Calls_at_once_are_all_in_the_service_total_which_a_new_activation_reads_back()
    {
        var total = fixture.Silo.Grains.GetGrain<ISpendGrain>(Spender.Global);
        var before = await total.ReadAsync();
        using var admin = fixture.AdminClient();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            var session = $"together-{i}-{Guid.NewGuid():N}";
            using (var response = await admin.PostAsJsonAsync($"/sessions/{session}/messages", new { text = $"all at once {i}" }))
            {
                response.EnsureSuccessStatusCode();
            }

        }));

        var reported = fixture.Model.Reported.ToList();
        Assert.Equal(20, reported.Count);
        await SettledAsync(Spender.Global);
        await total.Cast<IGrainManagementExtension>().DeactivateOnIdle(); // what the next activation reads is what was stored
        var after = await total.ReadAsync();
        Assert.Equal(before.Today.Calls + 20, after.Today.Calls);
        Assert.Equal(before.Today.InputTokens + reported.Sum(r => (long)r.Prompt), after.Today.InputTokens);
        Assert.Equal(before.Today.OutputTokens + reported.Sum(r => (long)r.Completion), after.Today.OutputTokens);
        Assert.Equal(before.ThisMonth.CostUsd + (reported.Sum(r => (long)(r.Prompt + r.Completion)) * BudgetFixture.PerToken), after.ThisMonth.CostUsd);
    }

    [Fact]
    public async Task A_quota_an_admin_sets_holds_at_once_and_default_returns_the_budget()
    {
        const long bob = BudgetFixture.Bob;
        var telegram = fixture.Telegram;
        Assert.StartsWith($"Done: {bob}'s daily budget is US$0.001.", await telegram.AskAsync(TelegramSiloFixture.Admin, TelegramSiloFixture.Admin, $"/quota {bob} 0.001"));
        Assert.StartsWith("You have used your daily budget (US$0.001)", await telegram.AskAsync(bob, bob, "an expensive question"));
        Assert.DoesNotContain(fixture.Model.Requests, r => r.LastUserText == "an expensive question");
        Assert.Contains("of your US$0.001 limit", await telegram.AskAsync(bob, bob, "/usage"));
        Assert.Equal(TelegramCommands.AdminsOnly("/quota"), await telegram.AskAsync(bob, bob, $"/quota {bob} 5"));

        Assert.StartsWith($"Done: {bob}'s daily budget is their role's again.", await telegram.AskAsync(TelegramSiloFixture.Admin, TelegramSiloFixture.Admin, $"/quota {bob} default"));
        Assert.Equal("Echo: a cheaper question", await telegram.AskAsync(bob, bob, "a cheaper question"));
        Assert.Contains("of your US$0.20 limit", await telegram.AskAsync(bob, bob, "/usage"));
    }

    [Fact]
    public async Task Admins_see_the_top_spenders_in_telegram_and_with_the_key_over_http()
    {
        const long admin = TelegramSiloFixture.Admin;
        var telegram = fixture.Telegram;
        Assert.Equal("Echo: what do I cost?", await telegram.AskAsync(admin, admin, "what do I cost?"));
        var spent = await SettledAsync(Spender.TelegramUser(admin));
        using var client = fixture.AdminClient();
        await Eventually.WaitAsync(
            async () => (await client.GetFromJsonAsync<JsonElement>("/usage?top=100")).GetProperty("top").EnumerateArray().Any(t => t.GetProperty("spender").GetString() == $"tg-user:{admin}"),
            "the admin among the month's spenders (listed after their call is recorded)", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));

        var all = await telegram.AskAsync(admin, admin, "/usage all");
        Assert.StartsWith("The service's use of the model", all);
        Assert.Contains("Top spenders this month:", all);
        Assert.Contains($"tg-user:{admin}: US${spent.ThisMonth.CostUsd:0.00##} ({spent.ThisMonth.Calls} calls), today US${spent.Today.CostUsd:0.00##} of US$0.20", all);
        Assert.Equal(TelegramCommands.AdminsOnly("/usage all"), await telegram.AskAsync(BudgetFixture.Bob, BudgetFixture.Bob, "/usage all"));

        var usage = await client.GetFromJsonAsync<JsonElement>("/usage?top=100");
        var top = usage.GetProperty("top").EnumerateArray().ToList();
        var costs = top.Select(t => t.GetProperty("this_month").GetProperty("cost_usd").GetDecimal()).ToList();
        Assert.Equal(costs.OrderDescending(), costs);
        var row = Assert.Single(top, t => t.GetProperty("spender").GetString() == $"tg-user:{admin}");
        Assert.Equal(spent.ThisMonth.CostUsd, row.GetProperty("this_month").GetProperty("cost_usd").GetDecimal());
        using var tooMany = await client.GetAsync("/usage?top=101");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    /// <summary>A spender's figures once no call of theirs is held for: their costs are recorded off the reply's path.</summary>
    private Task<SpendReport> SettledAsync(string spender) => Eventually.UntilAsync(
        () => fixture.Silo.Grains.GetGrain<ISpendGrain>(spender).ReadAsync(), report => report.Held == 0 && report.Today.Calls > 0,
        $"{spender}'s calls to be settled", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));

    [Fact]
    public async Task Usage_in_a_group_is_shown_only_in_private()
    {
        const long groupChat = -5_200_001;
        var message = fixture.Telegram.SendUserMessage(groupChat, Ann, "/usage", group: true);
        await fixture.Telegram.WaitUntilAsync(groupChat, m => m.Any(x => x.ReplyTo == message), "the reply to /usage", TimeSpan.FromSeconds(30));
        var reply = fixture.Telegram.RepliesTo(groupChat, message).Last().Text;
        Assert.True(reply.Contains("only in a private chat", StringComparison.Ordinal), reply);
    }

    private async Task<string> AskAsync(long user, string text)
    {
        var message = fixture.Telegram.SendUserMessage(user, user, text);
        await fixture.Telegram.WaitUntilAsync(user, m => m.Any(x => x.ReplyTo == message), $"the reply to '{text}'", TimeSpan.FromSeconds(30));
        return fixture.Telegram.RepliesTo(user, message).Last().Text;
    }
}
