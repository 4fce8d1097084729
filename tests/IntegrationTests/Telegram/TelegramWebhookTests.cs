using System.Net;
using System.Text;
using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Telegram;

/// <summary>Webhook mode: Telegram POSTs updates to /telegram/webhook with the secret header.</summary>
public sealed class TelegramWebhookTests(TelegramWebhookFixture fixture) : IClassFixture<TelegramWebhookFixture>
{
    private const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";
    private static long _nextChat = 8_000;
    private readonly long _chat = Interlocked.Increment(ref _nextChat);

    [Fact]
    public async Task Start_up_registers_the_webhook_with_its_secret_and_status_says_webhook()
    {
        Assert.Equal("https://bot.example.test/telegram/webhook", fixture.Telegram.WebhookUrl);
        Assert.Equal("s3cret-token_for-tests", fixture.Telegram.WebhookSecret);
        using var status = JsonDocument.Parse(await fixture.Silo.Http.GetStringAsync("/telegram/status"));
        Assert.Equal("webhook", status.RootElement.GetProperty("mode").GetString());
        Assert.Equal("connected", status.RootElement.GetProperty("state").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-secret")]
    public async Task A_missing_or_wrong_secret_is_401_and_nothing_is_answered(string? secret)
    {
        var update = fixture.Telegram.WebhookUpdate(_chat, TelegramSiloFixture.Member, "sneaky", out _);

        using var response = await PostAsync(update, secret);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        // A chat's messages are answered in order: once a later one, delivered properly, is answered,
        // an answer to the refused one would already be there.
        var later = fixture.Telegram.WebhookUpdate(_chat, TelegramSiloFixture.Member, "the real one", out var laterId);
        using (var accepted = await PostAsync(later, fixture.Telegram.WebhookSecret))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == laterId), "the reply to the later update");
        Assert.Equal(["Echo: the real one"], fixture.Telegram.BotMessages(_chat).Select(m => m.Text));
    }

    [Fact]
    public async Task A_delivered_update_is_answered_once_even_when_Telegram_delivers_it_twice()
    {
        var update = fixture.Telegram.WebhookUpdate(_chat, TelegramSiloFixture.Member, "hello by webhook", out var messageId);

        using (var first = await PostAsync(update, "s3cret-token_for-tests"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var again = await PostAsync(update, "s3cret-token_for-tests"))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == messageId && x.Text == "Echo: hello by webhook"), "the reply");
        var next = fixture.Telegram.WebhookUpdate(_chat, TelegramSiloFixture.Member, "next", out var nextId);
        using (var third = await PostAsync(next, "s3cret-token_for-tests"))
        {
            Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        }

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == nextId), "the reply to the next update");
        Assert.Single(fixture.Telegram.RepliesTo(_chat, messageId));
        using var status = JsonDocument.Parse(await fixture.Silo.Http.GetStringAsync("/telegram/status"));
        Assert.True(status.RootElement.GetProperty("seconds_since_last_update").GetDouble() < 30);
    }

    [Fact]
    public async Task The_same_update_delivered_five_times_at_once_is_answered_once()
    {
        var update = fixture.Telegram.WebhookUpdate(_chat, TelegramSiloFixture.Member, "all at once", out var messageId);

        var deliveries = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => PostAsync(update, "s3cret-token_for-tests")));

        Assert.All(deliveries, d => Assert.Equal(HttpStatusCode.OK, d.StatusCode)); // each confirmed: none is delivered again
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == messageId), "the reply");
        var next = fixture.Telegram.WebhookUpdate(_chat, TelegramSiloFixture.Member, "after them", out var nextId);
        using (var after = await PostAsync(next, "s3cret-token_for-tests"))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }

        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == nextId), "the reply to the next update");
        Assert.Equal("Echo: all at once", Assert.Single(fixture.Telegram.RepliesTo(_chat, messageId)).Text);
        Assert.Single(fixture.Model.Requests, r => r.LastUserText == "all at once");
        foreach (var delivery in deliveries)
        {
            delivery.Dispose();
        }
    }

    [Fact]
    public async Task The_webhook_is_deleted_when_the_last_silo_stops()
    {
        await using var telegram = await Fakes.Telegram.FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        var silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("webhook-stop"), TelegramSiloFixture.Settings(telegram, "Webhook"));
        await telegram.WaitForCallsAsync("setWebhook", 1);
        Assert.NotNull(telegram.WebhookUrl);

        await silo.DisposeAsync();

        Assert.Contains(telegram.Calls, c => c.Method == "deleteWebhook" && c.Status == 200);
        Assert.Null(telegram.WebhookUrl);
    }

    [Fact]
    public async Task A_body_that_is_not_an_update_is_400()
    {
        using var response = await PostAsync("{\"update_id\": \"not a number\"", "s3cret-token_for-tests");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Wrong_secrets_are_rate_limited_per_address_like_wrong_keys()
    {
        // From an address of its own, so the other tests' address is not locked out.
        using var guesser = LoopbackClient.From(System.Net.IPAddress.Parse("127.0.0.3"), fixture.Silo.Http.BaseAddress!);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            var update = fixture.Telegram.WebhookUpdate(_chat, TelegramSiloFixture.Member, $"guess {i}", out _);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/telegram/webhook") { Content = new StringContent(update, Encoding.UTF8, "application/json") };
            request.Headers.Add(SecretHeader, $"guess-{i}");
            using var response = await guesser.SendAsync(request);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 10).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 2)), statuses);
        Assert.Empty(fixture.Telegram.BotMessages(_chat));

        // Telegram's own deliveries, from another address, go on.
        var real = fixture.Telegram.WebhookUpdate(_chat, TelegramSiloFixture.Member, "the real one", out var id);
        using var delivered = await PostAsync(real, "s3cret-token_for-tests");
        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        await fixture.Telegram.WaitUntilAsync(_chat, m => m.Any(x => x.ReplyTo == id), "the answer to the real update");
    }

    private async Task<HttpResponseMessage> PostAsync(string body, string? secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/telegram/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (secret is not null)
        {
            request.Headers.Add(SecretHeader, secret);
        }

        return await fixture.Silo.Http.SendAsync(request);
    }
}
