using System.Net;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Autopilot;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Telegram;

namespace Assistant.IntegrationTests.Monitoring;

/// <summary>
/// Throttling covers Telegram: at high CPU (a settable sampler reading) Telegram turns go through
/// the same gate as HTTP ones, one at a time here, in order; a message that waits longer than
/// <c>Monitoring:ThrottleNoticeSeconds</c> gets a "busy, queued" note, and none is refused.
/// The service's clock is fake: the note's wait passes only when the test moves it, and so does
/// the flood gate's spacing between two messages (1/30 s overall, 1 s per chat).
/// </summary>
public sealed class TelegramThrottlingTests : IAsyncLifetime
{
    private const long First = TelegramSiloFixture.Member;
    private const long Second = 2002;
    private FakeTelegramServer _telegram = null!;
    private AutopilotSilo _service = null!;

    public async Task InitializeAsync()
    {
        _telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        var settings = TelegramSiloFixture.Settings(_telegram);
        settings["Monitoring:ThrottleConcurrency"] = "1";
        settings["Monitoring:ThrottleQueueLength"] = "0";
        settings["Telegram:AllowedUsers:2"] = "2002";
        settings.Remove("Telegram:AdminUsers:0"); // the CPU alerts go to the webhook only, not through the flood gate
        settings["AI:TimeoutSeconds"] = "60"; // the held answer waits for the test, not for a timeout
        settings["AI:ReplyTimeoutSeconds"] = "120";
        _service = await AutopilotSilo.StartAsync("telegram-throttle", settings);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _telegram.DisposeAsync();
    }

    [Fact]
    public async Task While_throttling_Telegram_messages_wait_in_order_and_are_told_so_when_the_wait_is_long()
    {
        await ThrottleAsync(cpu: 90, expected: true);
        var release = new TaskCompletionSource();
        _service.Model.Enqueue(new FakeResponse.Held(release.Task, "the first answer"));

        _telegram.SendUserMessage(First, First, "first question");
        await _service.Model.WaitForRequestsAsync(1);
        _telegram.SendUserMessage(Second, Second, "second question");
        await WaitForWaitingTurnsAsync(1);

        // It waits: the model has not been asked, and an HTTP request (no queue here) is refused meanwhile.
        Assert.Single(_service.Model.Requests);
        using (var refused = await _service.Http.PostRawAsync("/sessions/http-while-throttled/messages", """{"text":"hi"}"""))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }

        Assert.Empty(_telegram.BotMessages(Second));

        // Past Monitoring:ThrottleNoticeSeconds (3) on the service's clock the user is told, once.
        _service.Clock.Advance(TimeSpan.FromSeconds(4));
        await _telegram.WaitUntilAsync(Second, m => m.Count == 1, "the queued note");
        Assert.Equal(TelegramCommands.Queued, _telegram.BotMessages(Second)[0].Text);
        _service.Clock.Advance(TimeSpan.FromSeconds(2)); // the flood gate spaces a chat's messages a second apart

        release.SetResult();
        await _telegram.WaitUntilAsync(First, m => m.Any(x => x.Text == "the first answer"), "the first answer");
        _service.Clock.Advance(TimeSpan.FromSeconds(1));
        await _telegram.WaitUntilAsync(Second, m => m.Any(x => x.Text == "Echo: second question"), "the second answer, after the first");
        Assert.Equal(["first question", "second question"], _service.Model.Requests.Select(r => r.LastUserText));
        Assert.Equal(2, _telegram.BotMessages(Second).Count); // the note and the answer, nothing twice
        await WaitForWaitingTurnsAsync(0);
    }

    [Fact]
    public async Task When_throttling_ends_the_waiting_messages_go_at_once()
    {
        await ThrottleAsync(cpu: 90, expected: true);
        var release = new TaskCompletionSource();
        _service.Model.Enqueue(new FakeResponse.Held(release.Task, "held answer"));
        _telegram.SendUserMessage(First, First, "slow one");
        await _service.Model.WaitForRequestsAsync(1);
        _telegram.SendUserMessage(Second, Second, "waiting one");
        await WaitForWaitingTurnsAsync(1);

        await ThrottleAsync(cpu: 50, expected: false);

        // The first reply still holds its place, yet the second goes now.
        await _telegram.WaitUntilAsync(Second, m => m.Any(x => x.Text == "Echo: waiting one"), "the waiting message's answer once throttling ended");
        Assert.Empty(_telegram.BotMessages(First));
        _service.Clock.Advance(TimeSpan.FromSeconds(1));
        release.SetResult();
        await _telegram.WaitUntilAsync(First, m => m.Any(x => x.Text == "held answer"), "the held answer");
    }

    private async Task ThrottleAsync(double cpu, bool expected)
    {
        _service.Figures.CpuPercent = cpu;
        var status = await _service.RefreshAsync();
        Assert.Equal(expected, status.GetProperty("emergency").GetProperty("cpu_throttling").GetBoolean());
    }

    private Task WaitForWaitingTurnsAsync(int count) => Eventually.WaitAsync(
        async () => (await _service.StatusAsync()).GetProperty("emergency").GetProperty("waiting_turns").GetInt32() == count,
        $"{count} turn(s) waiting at the gate",
        TimeSpan.FromSeconds(20),
        TimeSpan.FromMilliseconds(50));
}
