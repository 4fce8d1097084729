using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;

namespace Assistant.IntegrationTests.Telegram;

/// <summary>
/// One chat's session hangs while it takes an update (its inbox write is held), in a batch of a
/// hundred with more behind it. Each delivery has a deadline shorter than the watchdog's
/// (<c>Telegram:DeliveryTimeoutSeconds</c>), so the hung update is parked, the offset moves on and
/// the updates past the first hundred are fetched and answered; the hung chat is answered once when
/// its session comes back.
/// </summary>
public sealed class PollWatchdogTests
{
    private const long Held = 91_000;

    [Fact]
    public async Task A_delivery_that_hangs_is_parked_at_its_deadline_so_the_rest_of_the_batch_and_the_next_are_answered_and_it_is_answered_once()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(model);
        foreach (var (name, value) in TelegramSiloFixture.Settings(telegram))
        {
            settings[name] = value;
        }

        settings["Telegram:PollTimeoutSeconds"] = "1";
        settings["Telegram:StallSeconds"] = "8";
        settings["Telegram:DeliveryTimeoutSeconds"] = "2";
        settings["Telegram:MaxDeliveryAttempts"] = "50";
        settings["Telegram:FloodGate:GlobalPerSecond"] = "1000";
        var faults = new StorageFaults();
        await using var silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("watchdog"), settings, faults.Install);
        await telegram.WaitForCallsAsync("getUpdates", 1);

        var gate = faults.HoldWrites("telegram_delivery", SessionKey.Telegram(Held));
        var held = telegram.SendUserMessage(Held, TelegramSiloFixture.Member, "held");
        var others = Enumerable.Range(1, 120).Select(i => (Chat: Held + i, Id: telegram.SendUserMessage(Held + i, TelegramSiloFixture.Member, $"hi {i}"))).ToList();

        foreach (var (chat, id) in others)
        {
            await telegram.WaitUntilAsync(chat, m => m.Any(x => x.ReplyTo == id), $"the reply in chat {chat}", TimeSpan.FromSeconds(60));
        }

        Assert.Empty(telegram.RepliesTo(Held, held));
        gate.SetResult();
        await telegram.WaitUntilAsync(Held, m => m.Any(x => x.ReplyTo == held), "the held chat's reply", TimeSpan.FromSeconds(60));
        await telegram.WaitUntilConfirmedAsync();

        Assert.All(others, o => Assert.Equal($"Echo: hi {o.Chat - Held}", Assert.Single(telegram.RepliesTo(o.Chat, o.Id)).Text));
        Assert.Equal("Echo: held", Assert.Single(telegram.RepliesTo(Held, held)).Text);
        Assert.Single(model.Requests, r => r.LastUserText == "held");
    }
}
