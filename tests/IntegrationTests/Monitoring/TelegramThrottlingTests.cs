using System.Net;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Autopilot;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Telegram;
using Microsoft.Extensions.DependencyInjection;

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
        _service = await AutopilotSilo.StartAsync("telegram-throttle", Settings());
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = TelegramSiloFixture.Settings(_telegram);
        settings["Monitoring:ThrottleConcurrency"] = "1";
        settings["Monitoring:ThrottleQueueLength"] = "0";
        settings["Telegram:AllowedUsers:2"] = "2002";
        settings.Remove("Telegram:AdminUsers:0"); // the CPU alerts go to the webhook only, not through the flood gate
        settings["AI:TimeoutSeconds"] = "60"; // the held answer waits for the test, not for a timeout
        settings["AI:ReplyTimeoutSeconds"] = "120";
        return settings;
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _telegram.DisposeAsync();
    }

    [Fact]
    public async Task While_throttling_Telegram_messages_wait_in_order_and_are_told_so_when_the_wait_is_long()
    {
        var release = await OneHeldOneWaitingAsync("the first answer", "first question", "second question");

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
        await WhileTimePassesAsync(() => Answered(First, "the first answer") && Answered(Second, "Echo: second question") && NothingInProgress(), "both answers, delivered and recorded");
        Assert.Equal(["first question", "second question"], _service.Model.Requests.Select(r => r.LastUserText));
        Assert.Equal(2, _telegram.BotMessages(Second).Count); // the note and the answer, nothing twice
        await WaitForWaitingTurnsAsync(0);
    }

    [Fact]
    public async Task When_throttling_ends_the_waiting_messages_go_at_once()
    {
        var release = await OneHeldOneWaitingAsync("held answer", "slow one", "waiting one");

        await ThrottleAsync(cpu: 50, expected: false);

        // The first reply still holds its place, yet the second goes now.
        await WhileTimePassesAsync(() => Answered(Second, "Echo: waiting one"), "the waiting message's answer once throttling ended");
        Assert.Empty(_telegram.BotMessages(First));
        release.SetResult();
        await WhileTimePassesAsync(() => Answered(First, "held answer") && NothingInProgress(), "the held answer, delivered and recorded");
    }

    [Fact]
    public async Task A_shutdown_while_a_message_waits_for_its_turn_stops_it_at_once_and_counts_no_failed_attempt()
    {
        var release = await OneHeldOneWaitingAsync("held answer", "slow one", "waiting one");

        // The silo stops: the waiting message is let go at once; the held reply finishes within the grace Orleans gives.
        var stopping = _service.Silo.StopAsync();
        var log = Path.Combine(_service.Silo.Directory, "logs", "system.log");
        var sessions = _service.Silo.Services.GetRequiredService<Assistant.Sessions.LocalSessionRegistry>();
        await Eventually.WaitAsync(
            () => Task.FromResult(sessions.Snapshots.All(s => s.SessionId != "tg:2002")),
            "the waiting session to deactivate while the other reply is still held",
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(50));
        Assert.False(release.Task.IsCompleted);
        release.SetResult();
        await stopping;
        await _service.DisposeAsync();
        var stoppedLog = await File.ReadAllTextAsync(log);
        Assert.DoesNotContain("Session tg:2002: deactivated", stoppedLog, StringComparison.Ordinal);

        // Started again on the same database with a single delivery attempt allowed: had the wait
        // counted as a failed attempt, the message would now be given up; it is answered.
        var settings = Settings();
        settings["Telegram:MaxDeliveryAttempts"] = "1";
        _service = await AutopilotSilo.StartAsync("telegram-throttle", settings, directory: _service.Silo.Directory);
        _service.Clock.Advance(TimeSpan.FromMinutes(1)); // the recovery sweep wakes chats left with messages older than Telegram:RecoverySeconds
        await _telegram.WaitUntilAsync(Second, m => m.Any(x => x.Text == "Echo: waiting one"), "the waiting message's answer after the restart");
        Assert.Single(_telegram.BotMessages(Second), m => m.Text == "Echo: waiting one");
        using var letters = JsonDocument.Parse(await _service.Http.GetStringAsync("/telegram/dead-letters"));
        Assert.Equal(0, letters.RootElement.GetProperty("total").GetInt64());
    }

    /// <summary>
    /// Throttling on (CPU 90 %, one turn at a time): the first chat's question is at the model, held
    /// until the returned source is set (then answered <paramref name="heldAnswer"/>); the second
    /// chat's question waits at the gate.
    /// </summary>
    private async Task<TaskCompletionSource> OneHeldOneWaitingAsync(string heldAnswer, string firstQuestion, string secondQuestion)
    {
        await ThrottleAsync(cpu: 90, expected: true);
        var release = new TaskCompletionSource();
        _service.Model.Enqueue(new FakeResponse.Held(release.Task, heldAnswer));
        _telegram.SendUserMessage(First, First, firstQuestion);
        await _service.Model.WaitForRequestsAsync(1);
        _telegram.SendUserMessage(Second, Second, secondQuestion);
        await WaitForWaitingTurnsAsync(1);
        return release;
    }

    private bool Answered(long chat, string text) => _telegram.BotMessages(chat).Any(m => m.Text == text);

    private bool NothingInProgress() => _service.Silo.Services.GetRequiredService<Assistant.Sessions.LocalSessionRegistry>().ActiveReplies == 0;

    /// <summary>
    /// Waits for <paramref name="done"/>, moving the service's clock a second at a time meanwhile: the
    /// flood gate spaces a chat's messages (a streamed preview, then its final edit) on that clock.
    /// </summary>
    private Task WhileTimePassesAsync(Func<bool> done, string what) => Eventually.WaitAsync(
        () =>
        {
            if (done())
            {
                return Task.FromResult(true);
            }

            _service.Clock.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(false);
        },
        what,
        TimeSpan.FromSeconds(30),
        TimeSpan.FromMilliseconds(100));

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
