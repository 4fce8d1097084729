using Assistant.Telegram;

namespace Assistant.UnitTests.Telegram;

public sealed class FloodGateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void One_chat_gets_one_message_a_second()
    {
        var sent = Simulate(new FloodGate(new FloodGateOptions()), Enumerable.Repeat((Chat: 1L, Group: false), 4));

        Assert.Equal([T0, T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(3)], sent);
    }

    [Fact]
    public void Across_chats_no_more_than_thirty_go_in_any_second()
    {
        var sent = Simulate(new FloodGate(new FloodGateOptions()), Enumerable.Range(0, 90).Select(c => ((long)c, false)));

        Assert.All(sent, s => Assert.True(sent.Count(x => x >= s && x < s.AddSeconds(1)) <= 30));
        Assert.InRange((sent[^1] - T0).TotalSeconds, 2.9, 3.0);
    }

    [Fact]
    public void The_global_rate_is_shared_between_silos()
    {
        var sent = Simulate(new FloodGate(new FloodGateOptions()) { Silos = 3 }, Enumerable.Range(0, 30).Select(c => ((long)c, false)));

        Assert.Equal(10, sent.Count(s => s < T0.AddSeconds(1)));
    }

    [Fact]
    public void A_group_gets_twenty_a_minute()
    {
        var sent = Simulate(new FloodGate(new FloodGateOptions()), Enumerable.Repeat((Chat: -100L, Group: true), 25));

        Assert.Equal(20, sent.Count(s => s < T0.AddMinutes(1)));
        Assert.Equal(T0.AddSeconds(3), sent[1]);
    }

    [Fact]
    public void A_429_blocks_only_that_chat_for_retry_after_however_long_and_marks_it_rate_limited()
    {
        var gate = new FloodGate(new FloodGateOptions());
        Assert.True(gate.TryAcquire(7, false, T0, out _));

        gate.Penalize(7, TimeSpan.FromHours(2), T0);

        Assert.False(gate.TryAcquire(7, false, T0.AddSeconds(5), out var retry));
        Assert.Equal(T0.AddHours(2), retry);
        Assert.True(gate.TryAcquire(8, false, T0.AddSeconds(5), out _));
        Assert.True(gate.RecentlyRateLimited(7, T0.AddSeconds(30)));
        Assert.False(gate.RecentlyRateLimited(7, T0.AddMinutes(2)));
        Assert.True(gate.TryAcquire(7, false, T0.AddHours(2), out _));
        Assert.False(gate.RecentlyRateLimited(8, T0));
    }

    [Fact]
    public void A_hundred_thousand_distinct_chats_leave_the_map_bounded_by_the_chats_of_the_last_minutes()
    {
        var gate = new FloodGate(new FloodGateOptions());
        var now = T0;
        for (long chat = 1; chat <= 100_000; chat++)
        {
            now = now.AddMilliseconds(10);
            gate.TryAcquire(chat, group: chat % 2 == 0, now, out _);
        }

        // 100 chats a second; what a chat's entry holds lasts at most the 60 s cooldown, swept once a cooldown.
        Assert.InRange(gate.Tracked, 1, 2 * 60 * 100 + 100);
    }

    [Fact]
    public void A_chat_is_not_forgotten_while_a_429_holds_it_back_or_its_streaming_should_slow_down()
    {
        var gate = new FloodGate(new FloodGateOptions());
        gate.Penalize(7, TimeSpan.FromHours(2), T0);
        gate.TryAcquire(8, false, T0, out _);
        gate.Penalize(8, TimeSpan.FromSeconds(1), T0);

        for (long chat = 100; chat < 1_000; chat++)
        {
            gate.TryAcquire(chat, false, T0.AddSeconds(chat / 10.0), out _);
        }

        Assert.Equal(T0.AddHours(2), gate.BlockedUntil(7));
        Assert.False(gate.TryAcquire(7, false, T0.AddMinutes(100), out var retryAt));
        Assert.Equal(T0.AddHours(2), retryAt);
        Assert.False(gate.RecentlyRateLimited(8, T0.AddSeconds(100)));
    }

    [Fact]
    public void A_forgotten_chat_is_still_spaced_one_second_apart()
    {
        var gate = new FloodGate(new FloodGateOptions());
        gate.TryAcquire(1, false, T0, out _);
        for (long chat = 2; chat < 200; chat++)
        {
            gate.TryAcquire(chat, false, T0.AddMinutes(2 + chat), out _);
        }

        var later = T0.AddMinutes(300);
        Assert.True(gate.TryAcquire(1, false, later, out _));
        Assert.False(gate.TryAcquire(1, false, later.AddMilliseconds(500), out var retryAt));
        Assert.Equal(later.AddSeconds(1), retryAt);
    }

    /// <summary>Messages all wanting to go at T0; each asks again when told to. Returns when each went.</summary>
    private static List<DateTimeOffset> Simulate(FloodGate gate, IEnumerable<(long Chat, bool Group)> messages)
    {
        var waiting = new PriorityQueue<(int Index, long Chat, bool Group), (DateTimeOffset, int)>();
        var list = messages.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            waiting.Enqueue((i, list[i].Chat, list[i].Group), (T0, i));
        }

        var sent = new DateTimeOffset[list.Count];
        while (waiting.TryDequeue(out var message, out var due))
        {
            if (gate.TryAcquire(message.Chat, message.Group, due.Item1, out var retryAt))
            {
                sent[message.Index] = due.Item1;
            }
            else
            {
                waiting.Enqueue(message, (retryAt, message.Index));
            }
        }

        return [.. sent.Order()];
    }
}
