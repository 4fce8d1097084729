using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Telegram;

/// <summary>Two real silo processes; the one that polls is killed with SIGKILL.</summary>
public sealed class PollerFailoverTests
{
    [Fact]
    public async Task Killing_the_polling_silo_resumes_polling_on_the_other_with_no_update_lost_or_answered_twice()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(model);
        foreach (var (key, value) in TelegramSiloFixture.Settings(telegram))
        {
            settings[key] = value;
        }

        settings["Admin:ApiKey"] = "failover-operator-key"; // to read the chats' conversations

        await using var cluster = new SiloCluster("poller-failover", settings);
        var first = await cluster.StartSiloAsync();
        await cluster.StartSiloAsync();
        await telegram.WaitForCallsAsync("getUpdates", 1);

        var chats = Enumerable.Range(1, 6).Select(i => 70_000L + i).ToArray();
        var before = chats.Select(c => (Chat: c, Message: telegram.SendUserMessage(c, TelegramSiloFixture.Member, $"before {c}"))).ToList();
        foreach (var (chat, message) in before)
        {
            await telegram.WaitUntilAsync(chat, m => m.Any(x => x.ReplyTo == message), "a reply before the kill");
            await SessionClient.WaitUntilSettledAsync(first.Http, chat);
        }

        using var status = JsonDocument.Parse(await first.Http.GetStringAsync("/telegram/status"));
        var poller = cluster.ByName(status.RootElement.GetProperty("channel_silo").GetString()!);
        var survivor = cluster.Silos.Single(s => s != poller);

        // Messages arrive, and the poller dies while the model is still writing their replies.
        model.Delay = TimeSpan.FromSeconds(1);
        var during = chats.Select(c => (Chat: c, Message: telegram.SendUserMessage(c, TelegramSiloFixture.Member, $"during {c}"))).ToList();
        await model.WaitForRequestsAsync(before.Count + during.Count);
        await poller.KillAsync();
        model.Delay = TimeSpan.Zero;
        var after = chats.Select(c => (Chat: c, Message: telegram.SendUserMessage(c, TelegramSiloFixture.Member, $"after {c}"))).ToList();

        foreach (var (chat, message) in during.Concat(after))
        {
            await telegram.WaitUntilAsync(chat, m => m.Any(x => x.ReplyTo == message), "a reply after the kill", TimeSpan.FromSeconds(60));
        }

        foreach (var (chat, message) in before.Concat(during).Concat(after))
        {
            var replies = telegram.RepliesTo(chat, message);
            Assert.True(replies.Count == 1, $"chat {chat} message {message}: {replies.Count} replies");
        }

        using var moved = JsonDocument.Parse(await survivor.Http.GetStringAsync("/telegram/status"));
        Assert.Equal("connected", moved.RootElement.GetProperty("state").GetString());
        Assert.EndsWith("-" + survivor.SiloPort, moved.RootElement.GetProperty("channel_silo").GetString());
    }
}
