using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Pipeline;

/// <summary>
/// A reply that waits out a long retry_after outlives the session's collection age (3 s here,
/// Orleans' quantum lowered to 1 s; the recovery sweep, which would also touch the session, runs
/// only every minute). The activation must not be collected while it still works: a second
/// activation would answer the stored message again.
/// </summary>
public sealed class IdleCollectionTests
{
    private const long Chat = 77_001;
    private const long User = TelegramSiloFixture.Member;

    [Fact]
    public async Task A_session_waiting_out_a_long_retry_after_is_not_collected_and_answers_once()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(model);
        foreach (var (key, value) in TelegramSiloFixture.Settings(telegram))
        {
            settings[key] = value;
        }

        settings["Telegram:RecoverySeconds"] = "60";
        await using var silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("idle"), settings, FastIdleCollection.Install);
        await telegram.WaitForCallsAsync("getUpdates", 1);

        const int retryAfter = 10;
        telegram.RateLimitChat(Chat, sends: 1, retryAfterSeconds: retryAfter);
        var first = telegram.SendUserMessage(Chat, User, "worth the wait");
        await Eventually.WaitAsync(() => Task.FromResult(telegram.Calls.Any(c => c.ChatId == Chat && c.Status == 429)), "the 429", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(20));
        var limitedAt = telegram.Calls.First(c => c.ChatId == Chat && c.Status == 429).At;

        // The user writes again halfway through the wait, after the 3 s collection age.
        await Task.Delay(TimeSpan.FromSeconds(retryAfter / 2));
        var second = telegram.SendUserMessage(Chat, User, "still there?");

        await telegram.WaitUntilAsync(Chat, m => m.Any(x => x.ReplyTo == first) && m.Any(x => x.ReplyTo == second), "both replies", TimeSpan.FromSeconds(60));
        await Eventually.WaitAsync(
            () => Task.FromResult(telegram.Calls.Any(c => c.ChatId == Chat && c.Method == "sendMessage" && c.Status == 200 && c.At >= limitedAt.AddSeconds(retryAfter))),
            "a send after the retry_after", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        var third = telegram.SendUserMessage(Chat, User, "and a third");
        await telegram.WaitUntilAsync(Chat, m => m.Any(x => x.ReplyTo == third), "the third reply", TimeSpan.FromSeconds(30));

        Assert.Single(telegram.RepliesTo(Chat, first));
        Assert.Single(telegram.RepliesTo(Chat, second));
        Assert.Single(model.Requests, r => r.LastUserText == "worth the wait");
        Assert.Empty(telegram.CallsInsideRetryWindows); // nothing, not even "typing…", inside the 10 s
    }
}
