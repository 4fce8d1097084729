using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Telegram;

/// <summary>
/// The runbook's "verify Telegram connected" right after a start: with the default 25 s long poll
/// and no traffic, the first poll does not return for 25 s, and the status must not wait for it.
/// </summary>
public sealed class TelegramStartTests
{
    [Fact]
    public async Task Status_and_health_say_connected_once_Telegram_answered_before_the_first_poll_returns()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(model);
        foreach (var (key, value) in TelegramSiloFixture.Settings(telegram))
        {
            settings[key] = value;
        }

        settings["Telegram:PollTimeoutSeconds"] = "25"; // the default: a poll with no updates returns after 25 s
        settings["Telegram:StallSeconds"] = "90";
        await using var silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("telegram-start"), settings);

        string? state = null;
        await Eventually.WaitAsync(
            async () =>
            {
                using var status = JsonDocument.Parse(await silo.Http.GetStringAsync("/telegram/status"));
                state = status.RootElement.GetProperty("state").GetString();
                return state == "connected";
            },
            "/telegram/status to say connected",
            TimeSpan.FromSeconds(15),
            TimeSpan.FromMilliseconds(100));

        Assert.DoesNotContain(telegram.Calls, c => c.Method == "getUpdates"); // the first poll is still open
        Assert.Contains(telegram.Calls, c => c.Method == "getMe" && c.Status == 200);
        await Eventually.WaitAsync(
            async () => (await silo.Http.GetStringAsync("/health")).Contains("\"telegram\":\"connected\"", StringComparison.Ordinal),
            "/health to say telegram connected",
            TimeSpan.FromSeconds(5),
            TimeSpan.FromMilliseconds(100));
        Assert.DoesNotContain(telegram.Calls, c => c.Method == "getUpdates");
    }
}
