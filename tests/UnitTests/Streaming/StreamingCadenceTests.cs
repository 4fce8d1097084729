using Assistant.Streaming;

namespace Assistant.UnitTests.Streaming;

public sealed class StreamingCadenceTests
{
    private readonly StreamingCadence _cadence = new(new StreamingCadenceOptions());

    [Fact]
    public void A_short_reply_in_a_private_chat_pushes_every_second() =>
        Assert.Equal(TimeSpan.FromMilliseconds(1000), _cadence.IntervalFor(0, default));

    [Fact]
    public void The_interval_widens_as_the_reply_grows_up_to_the_cap()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(2000), _cadence.IntervalFor(2000, default));
        Assert.Equal(TimeSpan.FromMilliseconds(4000), _cadence.IntervalFor(6000, default));
        Assert.Equal(TimeSpan.FromMilliseconds(4000), _cadence.IntervalFor(60_000, default));
    }

    [Fact]
    public void Groups_rate_limits_and_high_cpu_each_slow_it_down()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(3000), _cadence.IntervalFor(0, new CadenceConditions(GroupChat: true)));
        Assert.Equal(TimeSpan.FromMilliseconds(2000), _cadence.IntervalFor(0, new CadenceConditions(RecentlyRateLimited: true)));
        Assert.Equal(TimeSpan.FromMilliseconds(2000), _cadence.IntervalFor(0, new CadenceConditions(HighCpu: true)));
        Assert.Equal(TimeSpan.FromMilliseconds(12_000), _cadence.IntervalFor(0, new CadenceConditions(true, true, true)));
    }

    [Fact]
    public void The_first_part_waits_a_second_so_that_a_quick_reply_goes_out_as_one_message()
    {
        Assert.False(_cadence.ShouldPushFirst(TimeSpan.FromMilliseconds(999), 5_000));
        Assert.False(_cadence.ShouldPushFirst(TimeSpan.FromSeconds(5), 19));
        Assert.True(_cadence.ShouldPushFirst(TimeSpan.FromMilliseconds(1000), 20));
        Assert.True(new StreamingCadence(new StreamingCadenceOptions { FirstPushMs = 0 }).ShouldPushFirst(TimeSpan.Zero, 20));
    }

    [Fact]
    public void A_push_needs_both_the_interval_and_enough_new_text()
    {
        Assert.False(_cadence.ShouldPush(TimeSpan.FromMilliseconds(999), 500, 500, default));
        Assert.False(_cadence.ShouldPush(TimeSpan.FromSeconds(5), 19, 500, default));
        Assert.True(_cadence.ShouldPush(TimeSpan.FromMilliseconds(1250), 20, 500, default));
        Assert.False(_cadence.ShouldPush(TimeSpan.FromMilliseconds(1250), 20, 500, new CadenceConditions(GroupChat: true)));
    }
}
