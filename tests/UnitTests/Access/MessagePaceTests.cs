using Assistant.Access;

namespace Assistant.UnitTests.Access;

public sealed class MessagePaceTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Past_the_rate_the_first_refusal_in_a_minute_speaks_and_the_rest_are_quiet()
    {
        var pace = new MessagePace();
        Assert.Equal(Pace.Within, pace.Admit(1, 2, Start, Start));
        Assert.Equal(Pace.Within, pace.Admit(2, 2, Start.AddSeconds(1), Start.AddSeconds(1)));
        Assert.Equal(Pace.SlowDown, pace.Admit(3, 2, Start.AddSeconds(2), Start.AddSeconds(2)));
        Assert.Equal(Pace.Quiet, pace.Admit(4, 2, Start.AddSeconds(3), Start.AddSeconds(3)));

        // A minute after each admitted message its place is free again; a refusal speaks again a minute after the last that did.
        Assert.Equal(Pace.Within, pace.Admit(5, 2, Start.AddSeconds(60), Start.AddSeconds(60)));
        Assert.Equal(Pace.Quiet, pace.Admit(6, 2, Start.AddSeconds(60), Start.AddSeconds(60)));
        Assert.Equal(Pace.Within, pace.Admit(7, 2, Start.AddSeconds(61), Start.AddSeconds(61)));
        Assert.Equal(Pace.SlowDown, pace.Admit(8, 2, Start.AddSeconds(62), Start.AddSeconds(62)));
    }

    [Fact]
    public void A_message_asked_about_again_gets_the_same_answer_and_is_counted_once()
    {
        var pace = new MessagePace();
        Assert.Equal(Pace.Within, pace.Admit(1, 1, Start, Start));
        Assert.Equal(Pace.Within, pace.Admit(1, 1, Start, Start.AddMinutes(5))); // a turn resumed minutes later
        Assert.Equal(Pace.SlowDown, pace.Admit(2, 1, Start.AddSeconds(6), Start.AddSeconds(6)));
        Assert.Equal(Pace.SlowDown, pace.Admit(2, 1, Start.AddSeconds(6), Start.AddSeconds(7))); // its retry says it again: the first notice may not have gone out
    }

    [Fact]
    public void Messages_sent_over_minutes_and_answered_at_once_after_an_outage_are_within_the_rate()
    {
        var pace = new MessagePace();
        var answeredAt = Start.AddMinutes(20);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(Pace.Within, pace.Admit(i, 2, Start.AddMinutes(i), answeredAt.AddSeconds(i)));
        }
    }

    [Fact]
    public void A_burst_answered_long_after_it_was_sent_is_still_held_to_the_rate()
    {
        var pace = new MessagePace();
        var answeredAt = Start.AddMinutes(15);
        var paces = Enumerable.Range(0, 10).Select(i => pace.Admit(i, 3, Start.AddSeconds(i), answeredAt.AddSeconds(i))).ToList();
        Assert.Equal(3, paces.Count(p => p == Pace.Within));
        Assert.Equal(Pace.SlowDown, paces[3]);
    }

    [Fact]
    public void No_rate_admits_everything()
    {
        var pace = new MessagePace();
        Assert.All(Enumerable.Range(0, 100), i => Assert.Equal(Pace.Within, pace.Admit(i, 0, Start, Start)));
    }
}
