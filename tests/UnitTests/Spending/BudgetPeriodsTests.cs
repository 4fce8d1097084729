using Assistant.Spending;
using Microsoft.Extensions.Options;

namespace Assistant.UnitTests.Spending;

public sealed class BudgetPeriodsTests
{
    [Fact]
    public void Days_and_months_are_counted_in_the_configured_time_zone()
    {
        var berlin = new BudgetPeriods(Options.Create(new BudgetOptions { TimeZone = "Europe/Berlin" }));
        var lateEvening = new DateTimeOffset(2026, 12, 31, 23, 30, 0, TimeSpan.Zero); // 00:30 on 1 January in Berlin

        Assert.Equal("2027-01-01", berlin.Day(lateEvening));
        Assert.Equal("2027-01", berlin.Month(lateEvening));
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 23, 0, 0, TimeSpan.Zero), berlin.DayEnds(lateEvening));
        Assert.Equal(new DateTimeOffset(2027, 1, 31, 23, 0, 0, TimeSpan.Zero), berlin.MonthEnds(lateEvening));

        var utc = new BudgetPeriods(Options.Create(new BudgetOptions()));
        Assert.Equal("2026-12-31", utc.Day(lateEvening));
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), utc.MonthEnds(lateEvening));
    }

    [Fact]
    public void A_day_that_starts_with_a_clock_change_ends_when_the_next_one_starts()
    {
        // Summer time starts in Berlin at 02:00 local on 29 March 2026: that day has 23 hours.
        var berlin = new BudgetPeriods(Options.Create(new BudgetOptions { TimeZone = "Europe/Berlin" }));
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 22, 0, 0, TimeSpan.Zero), berlin.DayEnds(new DateTimeOffset(2026, 3, 29, 0, 30, 0, TimeSpan.Zero)));
    }
}
