using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Telegram;

namespace Assistant.IntegrationTests.Scaling;

/// <summary>
/// Access and spend are one grain per user, whichever silo holds their chats: an admin's <c>/grant</c>
/// and <c>/ban</c> in their own chat hold at once for users whose chats two silo processes share,
/// and after both silos restart; a user writing in several chats on both silos at once stays within
/// the daily quota an admin gave them.
/// </summary>
public sealed class AccessAcrossSilosTests
{
    private const long Admin = TelegramSiloFixture.Admin;
    private static readonly long[] Strangers = [7_001, 7_002, 7_003, 7_004, 7_005, 7_006, 7_007, 7_008];

    [Fact]
    public async Task Grant_and_ban_hold_on_every_silo_at_once_and_after_a_restart()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(model);
        foreach (var (key, value) in TelegramSiloFixture.Settings(telegram))
        {
            settings[key] = value;
        }

        settings["Sessions:Summaries"] = "false";
        settings["AI:Prices:fake-model:InputPerMillion"] = "1000"; // a tenth of a cent a token
        settings["AI:Prices:fake-model:OutputPerMillion"] = "1000";
        settings["Budgets:ReserveOutputTokens"] = "60"; // at least what an echo answers: a hold covers its turn
        await using var cluster = new SiloCluster("access", settings);
        var silos = new[] { await cluster.StartSiloAsync(), await cluster.StartSiloAsync() };
        await telegram.WaitForCallsAsync("getUpdates", 1);

        // On no list, with guests not allowed: refused.
        foreach (var user in Strangers)
        {
            Assert.Equal(TelegramCommands.NotAllowed, await telegram.AskAsync(user, user, "/usage"));
        }

        // Granted in the admin's chat; answered at once in theirs, which both silos share between them.
        foreach (var user in Strangers)
        {
            Assert.StartsWith($"Done: {user} is now user.", await telegram.AskAsync(Admin, Admin, $"/grant {user} user"));
            Assert.Equal($"Echo: hello from {user}", await telegram.AskAsync(user, user, $"hello from {user}"));
        }

        var reports = await Task.WhenAll(silos.Select(async s => JsonDocument.Parse(await s.Http.GetStringAsync("/sessions/report")).RootElement));
        Assert.All(reports, r => Assert.True(r.GetProperty("active_sessions").GetInt32() > 0, "a silo held none of the chats"));

        // Banned: refused at once, and a question of theirs never reaches the model.
        var banned = Strangers[..4];
        foreach (var user in banned)
        {
            Assert.StartsWith($"Done: {user} is banned.", await telegram.AskAsync(Admin, Admin, $"/ban {user}"));
            Assert.Equal(TelegramCommands.Banned, await telegram.AskAsync(user, user, "/usage"));
        }

        // Both silos restart: what the admin set was stored.
        foreach (var silo in silos)
        {
            Assert.Equal(0, await silo.StopAsync());
        }

        foreach (var silo in silos)
        {
            await silo.StartAndWaitHealthyAsync(TimeSpan.FromSeconds(120));
        }

        foreach (var user in banned)
        {
            telegram.SendUserMessage(user, user, $"still here, {user}?");
            Assert.Equal(TelegramCommands.Banned, await telegram.AskAsync(user, user, "/usage", TimeSpan.FromSeconds(60)));
        }

        foreach (var user in Strangers[4..])
        {
            Assert.Equal($"Echo: back again, {user}", await telegram.AskAsync(user, user, $"back again, {user}", TimeSpan.FromSeconds(60)));
        }

        Assert.DoesNotContain(model.Requests, r => r.LastUserText.StartsWith("still here", StringComparison.Ordinal));
        Assert.StartsWith($"Done: {banned[0]} is no longer banned.", await telegram.AskAsync(Admin, Admin, $"/unban {banned[0]}"));
        Assert.Equal($"Echo: thank you from {banned[0]}", await telegram.AskAsync(banned[0], banned[0], $"thank you from {banned[0]}"));

        var users = await telegram.AskAsync(Admin, Admin, "/users");
        Assert.Contains($"• {banned[1]}: banned (last change by {Admin} at ", users);
        Assert.Contains($"• {banned[0]}: user (last change by {Admin} at ", users);

        await OneUserInChatsOnBothSilosStaysWithinTheirQuotaAsync(telegram, model, silos);
    }

    /// <summary>
    /// A member writes in their private chat and five groups at once, round after round, until refused
    /// everywhere; the chats are placed by Orleans, and the test checks that both silos took some.
    /// </summary>
    private static async Task OneUserInChatsOnBothSilosStaysWithinTheirQuotaAsync(FakeTelegramServer telegram, FakeOpenAiServer model, SiloProcess[] silos)
    {
        const long member = TelegramSiloFixture.Member;
        const decimal quota = 0.40m;
        Assert.StartsWith($"Done: {member}'s daily budget is US$0.40.", await telegram.AskAsync(Admin, Admin, $"/quota {member} 0.40"));
        model.Delay = TimeSpan.FromMilliseconds(200); // the chats' turns overlap: their holds are in flight together
        long[] chats = [member, -7_100_001, -7_100_002, -7_100_003, -7_100_004, -7_100_005];
        var before = await ActiveSessionsAsync(silos);
        var bot = "@" + FakeTelegramServer.BotUsername;
        var answered = 0;
        for (var round = 0; round < 20; round++)
        {
            var replies = await Task.WhenAll(chats.Select(c => telegram.AskAsync(c, member, c == member ? $"round {round}" : $"{bot} round {round} in {c}")));
            answered += replies.Count(r => r.Trim().StartsWith("Echo:", StringComparison.Ordinal));
            if (replies.All(r => r.Contains("You have used your daily budget", StringComparison.Ordinal)))
            {
                break;
            }
        }

        Assert.True(answered >= 2, $"{answered} answers before the quota refused");
        var after = await ActiveSessionsAsync(silos);
        Assert.True(after.Zip(before).All(c => c.First > c.Second), $"the member's chats did not activate on both silos (sessions before {string.Join("/", before)}, after {string.Join("/", after)})");
        var usage = await Eventually.UntilAsync(
            async () => JsonDocument.Parse(await silos[0].Http.GetStringAsync($"/usage?spender=tg-user:{member}")).RootElement.GetProperty("spender").Clone(),
            u => u.GetProperty("held_usd").GetDecimal() == 0 && u.GetProperty("today").GetProperty("calls").GetInt32() == answered,
            "every answered call recorded, no hold left", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        var spent = usage.GetProperty("today").GetProperty("cost_usd").GetDecimal();
        Assert.InRange(spent, quota / 2, quota); // each turn held for at least what it cost, so the chats together never passed the quota
        Assert.Equal(quota, usage.GetProperty("daily_limit_usd").GetDecimal());
    }

    private static Task<int[]> ActiveSessionsAsync(SiloProcess[] silos) =>
        Task.WhenAll(silos.Select(async s => JsonDocument.Parse(await s.Http.GetStringAsync("/sessions/report")).RootElement.GetProperty("active_sessions").GetInt32()));
}
