using System.Net;
using System.Text;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Assistant.IntegrationTests.Pipeline;

/// <summary>
/// Webhook mode: Telegram gives up on a webhook delivery after some retries, so an update whose
/// session cannot store it is parked with the channel and the webhook still answers 200; the
/// channel hands it over again, and gives it up as a dead letter with an apology if it must.
/// </summary>
public sealed class WebhookParkingTests
{
    private const long User = TelegramSiloFixture.Member;
    private const string Secret = "s3cret-token_for-tests";

    [Fact]
    public async Task An_update_its_session_cannot_store_is_parked_answered_200_and_answered_once_later()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(model);
        foreach (var (key, value) in TelegramSiloFixture.Settings(telegram, "Webhook"))
        {
            settings[key] = value;
        }

        settings["Telegram:MaxDeliveryAttempts"] = "3";
        var faults = new StorageFaults();
        await using var silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("webhook-park"), settings, faults.Install);
        await telegram.WaitForCallsAsync("setWebhook", 1);

        const long recovers = 78_001;
        faults.FailWrites("telegram_delivery", "tg:78001", count: 1);
        var first = telegram.WebhookUpdate(recovers, User, "stored on the second try", out var firstId);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(silo, first));
        await telegram.WaitUntilAsync(recovers, m => m.Any(x => x.ReplyTo == firstId && x.Text == "Echo: stored on the second try"), "the reply after parking", TimeSpan.FromSeconds(30));

        const long broken = 78_002;
        faults.FailWrites("telegram_delivery", "tg:78002");
        var lost = telegram.WebhookUpdate(broken, User, "never stored", out var lostId);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(silo, lost));
        await telegram.WaitUntilAsync(broken, m => m.Any(x => x.ReplyTo == lostId && x.Text.Contains("give up", StringComparison.Ordinal)), "the apology", TimeSpan.FromSeconds(40));

        Assert.Single(telegram.RepliesTo(recovers, firstId));
        Assert.Single(telegram.RepliesTo(broken, lostId));
        var letters = await silo.Services.GetRequiredService<Assistant.Telegram.DeadLetters>().ListAsync(10);
        Assert.Contains(letters, l => l.ChatId == broken && l.Stage == "delivery" && l.Text == "never stored");
    }

    private static async Task<HttpStatusCode> PostAsync(InProcessSilo silo, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/telegram/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", Secret);
        using var response = await silo.Http.SendAsync(request);
        return response.StatusCode;
    }
}
