using System.Text.Json;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Autopilot;

/// <summary>
/// Alerts are delivered off the health cycle: a Telegram admin chat that answers 429 with a
/// <c>retry_after</c> of ten minutes holds up no cycle, and the alert arrives once it may.
/// The service's clock is fake (it stands still unless the test moves it); the health cycle's
/// grain timer runs on real time, so cycles that go on while the clock stands still prove
/// that no cycle waits on the delivery.
/// </summary>
public sealed class AlertDeliveryTests
{
    [Fact]
    public async Task A_rate_limited_admin_chat_delays_its_alert_but_no_health_cycle()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        var settings = TelegramSiloFixture.Settings(telegram);
        settings["Monitoring:HealthIntervalSeconds"] = "1";
        await using var service = await AutopilotSilo.StartAsync("alert-429", settings);
        telegram.Clock = service.Clock; // retry_after is held on the service's clock
        telegram.RateLimitChat(TelegramSiloFixture.Admin, sends: 1, retryAfterSeconds: 600);

        service.Figures.MemoryMb = 850; // memory_warning: delivered to the webhook and the admin
        await service.Alerts.WaitForAsync(IsMemoryWarning, 1);
        await telegram.WaitUntilCallAsync(c => c.Method == "sendMessage" && c.ChatId == TelegramSiloFixture.Admin && c.Status == 429, "the admin's 429");

        // The delivery to the admin now waits out retry_after on the service's clock, which stands still.
        var before = (await service.StatusAsync()).GetProperty("cycles").GetInt64();
        var status = await WaitForStatusAsync(service, s => s.GetProperty("cycles").GetInt64() >= before + 3, "three more health cycles while the alert waits");
        // The webhook has had every alert (memory_warning and health_degraded); the admin none yet.
        var delivery = status.GetProperty("alert_delivery");
        Assert.Equal(2, delivery.GetProperty("delivered").GetInt64());
        Assert.Equal(2, delivery.GetProperty("pending").GetInt32());
        await service.Alerts.WaitForAsync(a => a.GetProperty("alert_type").GetString() == "health_degraded", 1);

        // After Monitoring:AlertDeliveryTimeoutSeconds the attempt counts as failed and waits for retry_after.
        var blockedAt = service.Clock.GetUtcNow();
        service.Clock.Advance(TimeSpan.FromSeconds(11));
        status = await WaitForStatusAsync(service, s => s.GetProperty("alert_delivery").GetProperty("failures").GetInt64() == 2, "the timed-out attempts counted");
        delivery = status.GetProperty("alert_delivery");
        Assert.Contains("Monitoring:AlertDeliveryTimeoutSeconds", delivery.GetProperty("last_failure").GetString());
        Assert.True(delivery.GetProperty("next_attempt_at").GetDateTimeOffset() >= blockedAt + TimeSpan.FromSeconds(599), delivery.ToString());
        Assert.Empty(telegram.BotMessages(TelegramSiloFixture.Admin));

        service.Clock.Advance(TimeSpan.FromSeconds(600));
        await telegram.WaitUntilAsync(TelegramSiloFixture.Admin, m => m.Count == 1, "the first alert after retry_after");
        service.Clock.Advance(TimeSpan.FromSeconds(2)); // the flood gate spaces a chat's messages a second apart
        await telegram.WaitUntilAsync(TelegramSiloFixture.Admin, m => m.Count == 2, "the second alert a second later");
        status = await WaitForStatusAsync(service, s => s.GetProperty("alert_delivery").GetProperty("pending").GetInt32() == 0, "nothing pending");
        Assert.Equal(4, status.GetProperty("alert_delivery").GetProperty("delivered").GetInt64());
        var texts = telegram.BotMessages(TelegramSiloFixture.Admin).Select(m => m.Text).ToList();
        Assert.Single(texts, t => t.Contains("memory_warning", StringComparison.Ordinal)); // each once, not once per cycle
        Assert.Single(texts, t => t.Contains("health_degraded", StringComparison.Ordinal));
        Assert.Empty(telegram.CallsInsideRetryWindows);
    }

    [Fact]
    public async Task A_delivery_whose_record_fails_is_made_again_after_a_backoff_not_in_a_loop()
    {
        var faults = new StorageFaults();
        await using var service = await AutopilotSilo.StartAsync("alert-record", new Dictionary<string, string?> { ["Monitoring:HealthScoreWarning"] = "1" }, faults: faults); // memory_warning alone
        var answer = new TaskCompletionSource();
        service.Alerts.HoldResponses = answer;

        service.Figures.MemoryMb = 850;
        await service.RefreshAsync();
        await service.Alerts.WaitForAsync(IsMemoryWarning, 1);

        // The webhook has the alert; the outbox's record of it fails (the database is locked).
        faults.FailWrites("alert-outbox", "0", count: 1);
        answer.SetResult();
        await faults.WaitForWriteAsync("alert-outbox", "0", 1, TimeSpan.FromSeconds(20));
        var status = await service.RefreshAsync(); // a round trip through the monitor and the outbox

        Assert.Equal(1, faults.Writes("alert-outbox", "0", failed: true));
        Assert.Single(service.Alerts.Received); // not resent at once, over and over
        Assert.True(status.GetProperty("alert_delivery").GetProperty("pending").GetInt32() >= 1);

        // After the backoff it is made again, at least once in all, and recorded. The outbox sets its
        // backoff timer as the failed write returns, which the test cannot see: the clock is moved
        // past the backoff again (a second at a time, far from the next hourly cycle) until it is.
        await Eventually.WaitAsync(() =>
        {
            if (service.Alerts.Received.Count(IsMemoryWarning) >= 2)
            {
                return Task.FromResult(true);
            }

            service.Clock.Advance(TimeSpan.FromSeconds(40));
            return Task.FromResult(false);
        }, "the delivery made again after its backoff", TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1));
        await Eventually.WaitAsync(async () => (await service.StatusAsync()).GetProperty("alert_delivery").GetProperty("pending").GetInt32() == 0,
            "the delivery recorded", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, service.Alerts.Received.Count(IsMemoryWarning));
    }

    [Fact]
    public async Task A_delivery_that_keeps_failing_is_given_up_after_Monitoring_AlertDeliveryAttempts_and_says_so()
    {
        await using var service = await AutopilotSilo.StartAsync("alert-given-up", new Dictionary<string, string?>
        {
            ["Monitoring:HealthScoreWarning"] = "1", // memory_warning alone
            ["Monitoring:AlertDeliveryAttempts"] = "2",
        });
        service.Alerts.FailWith = 503;

        service.Figures.MemoryMb = 850;
        await service.RefreshAsync();
        await service.Alerts.WaitForAsync(IsMemoryWarning, 1);
        var failed = await WaitForStatusAsync(service, s => s.GetProperty("alert_delivery").GetProperty("failures").GetInt64() == 1, "the first attempt counted");
        Assert.Equal(1, failed.GetProperty("alert_delivery").GetProperty("pending").GetInt32()); // tried again after a backoff

        service.Clock.Advance(TimeSpan.FromMinutes(2));
        await service.Alerts.WaitForAsync(IsMemoryWarning, 2);
        var given = await WaitForStatusAsync(service, s => s.GetProperty("alert_delivery").GetProperty("given_up").GetInt64() == 1, "the delivery given up");
        var delivery = given.GetProperty("alert_delivery");
        Assert.Equal(0, delivery.GetProperty("pending").GetInt32());
        Assert.Equal(0, delivery.GetProperty("delivered").GetInt64());
        Assert.Contains("memory_warning to webhook", delivery.GetProperty("last_failure").GetString(), StringComparison.Ordinal);

        // No third attempt, however long: the next comes with the alert's next raising, after its cooldown.
        service.Clock.Advance(TimeSpan.FromMinutes(10));
        await service.RefreshAsync();
        Assert.Equal(2, service.Alerts.Received.Count(IsMemoryWarning));
        Assert.Contains("Gave up delivering alert memory_warning to webhook after 2 attempt(s)", ScriptedService.ReadShared(Path.Combine(service.Silo.Directory, "logs", "system.log")), StringComparison.Ordinal);
    }

    private static bool IsMemoryWarning(JsonElement alert) => alert.GetProperty("alert_type").GetString() == "memory_warning";

    private static async Task<JsonElement> WaitForStatusAsync(AutopilotSilo service, Func<JsonElement, bool> condition, string what)
    {
        JsonElement status = default;
        await Eventually.WaitAsync(async () => condition(status = await service.StatusAsync()), what, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        return status;
    }
}
