using Assistant.Monitoring;
using Microsoft.Extensions.Options;

namespace Assistant.UnitTests.Monitoring;

public sealed class ChatAdmissionTests
{
    private readonly PressureState _pressure = new();
    private readonly ChatAdmission _admission;

    public ChatAdmissionTests()
    {
        _admission = new ChatAdmission(_pressure, Options.Create(new MonitoringOptions { ThrottleConcurrency = 1, ThrottleQueueLength = 1 }));
    }

    [Fact]
    public async Task Without_throttling_everything_passes()
    {
        var leases = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _admission.EnterAsync(ChatChannel.Http, default).AsTask()));

        Assert.All(leases, Assert.NotNull);
        Assert.Equal(0, _admission.Waiting);
    }

    [Fact]
    public async Task While_throttling_turns_go_one_at_a_time_in_order_and_Telegram_is_never_refused()
    {
        _pressure.Set(throttling: true, emergency: false, healthScore: 50);
        var first = await _admission.EnterAsync(ChatChannel.Http, default);
        var telegram1 = _admission.EnterAsync(ChatChannel.Telegram, default).AsTask();
        var http = _admission.EnterAsync(ChatChannel.Http, default).AsTask();
        var telegram2 = _admission.EnterAsync(ChatChannel.Telegram, default).AsTask();

        Assert.Null(await _admission.EnterAsync(ChatChannel.Http, default)); // the one HTTP place in the queue is taken
        Assert.Equal(3, _admission.Waiting);
        Assert.Equal(1, _admission.Refused);
        Assert.False(telegram1.IsCompleted);

        first!.Dispose();
        (await telegram1)!.Dispose();
        Assert.False(telegram2.IsCompleted);
        (await http)!.Dispose();
        (await telegram2)!.Dispose();
        Assert.Equal(0, _admission.Waiting);
    }

    [Fact]
    public async Task Turns_that_started_before_throttling_count_against_the_limit()
    {
        var before = await _admission.EnterAsync(ChatChannel.Http, default);
        _pressure.Set(throttling: true, emergency: false, healthScore: 50);

        var next = _admission.EnterAsync(ChatChannel.Telegram, default).AsTask();

        Assert.False(next.IsCompleted);
        before!.Dispose();
        Assert.NotNull(await next);
    }

    [Fact]
    public async Task When_throttling_ends_everyone_waiting_goes_at_once()
    {
        _pressure.Set(throttling: true, emergency: false, healthScore: 50);
        var running = await _admission.EnterAsync(ChatChannel.Http, default);
        var waiting = Enumerable.Range(0, 3).Select(_ => _admission.EnterAsync(ChatChannel.Telegram, default).AsTask()).ToList();

        _pressure.Set(throttling: false, emergency: false, healthScore: 80);

        Assert.All(await Task.WhenAll(waiting), Assert.NotNull);
        Assert.NotNull(running);
    }

    [Fact]
    public async Task A_turn_cancelled_while_it_waits_leaves_the_queue_and_takes_no_place()
    {
        _pressure.Set(throttling: true, emergency: false, healthScore: 50);
        var running = await _admission.EnterAsync(ChatChannel.Http, default);
        using var cancel = new CancellationTokenSource();
        var cancelled = _admission.EnterAsync(ChatChannel.Telegram, cancel.Token).AsTask();
        var behind = _admission.EnterAsync(ChatChannel.Telegram, default).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, _admission.Waiting);
        running!.Dispose();
        running.Dispose(); // twice: released once
        Assert.NotNull(await behind);
        Assert.False(_admission.EnterAsync(ChatChannel.Telegram, default).IsCompleted); // one place, and it is taken
    }
}
