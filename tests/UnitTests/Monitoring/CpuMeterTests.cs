using Assistant.Monitoring;
using Microsoft.Extensions.Time.Testing;

namespace Assistant.UnitTests.Monitoring;

/// <summary>CPU over a window that ends now, taken against the newest reading at least that old.</summary>
public sealed class CpuMeterTests
{
    private readonly FakeTimeProvider _clock = new();
    private TimeSpan _used = TimeSpan.Zero;

    private CpuMeter Meter(int processors = 2) => new(() => _used, _clock, processors, TimeSpan.FromMinutes(2));

    private void Run(double seconds, double busyFraction, int processors = 2)
    {
        _clock.Advance(TimeSpan.FromSeconds(seconds));
        _used += TimeSpan.FromSeconds(seconds * busyFraction * processors);
    }

    [Fact]
    public void Each_window_is_measured_against_a_reading_at_least_that_old()
    {
        var meter = Meter();
        Run(30, 0.2);
        Assert.Equal(20, meter.PercentOver(TimeSpan.FromSeconds(30)));
        Run(30, 0.6);
        Assert.Equal(60, meter.PercentOver(TimeSpan.FromSeconds(30)));

        // Milliseconds later, even at full load, the 30 s figure is still the last 30 s'.
        Run(0.005, 1);
        Assert.Equal(60, meter.PercentOver(TimeSpan.FromSeconds(30)));

        // A 60 s window reaches back to the start: (0.2 * 30 + 0.6 * 30 + 0.005) / 60.005.
        Assert.Equal(40, meter.PercentOver(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void A_young_process_is_measured_from_its_start_and_no_time_reads_zero()
    {
        var meter = Meter();
        Assert.Equal(0, meter.PercentOver(TimeSpan.FromSeconds(30)));
        Run(10, 0.5);
        Assert.Equal(50, meter.PercentOver(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Old_readings_are_dropped_but_one_at_least_a_window_old_is_kept()
    {
        var meter = Meter();
        for (var i = 0; i < 100; i++)
        {
            Run(10, i < 90 ? 0.1 : 0.9);
            meter.PercentOver(TimeSpan.FromSeconds(10));
        }

        // The last ten intervals ran at 90 %; a 60 s window sees only them.
        Assert.Equal(90, meter.PercentOver(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void The_figure_is_a_share_of_all_cores_and_never_over_100()
    {
        var meter = Meter(processors: 4);
        _clock.Advance(TimeSpan.FromSeconds(10));
        _used += TimeSpan.FromSeconds(20); // two of four cores
        Assert.Equal(50, meter.PercentOver(TimeSpan.FromSeconds(10)));
        _clock.Advance(TimeSpan.FromSeconds(10));
        _used += TimeSpan.FromSeconds(60); // more than the cores could: clamped
        Assert.Equal(100, meter.PercentOver(TimeSpan.FromSeconds(10)));
    }
}
