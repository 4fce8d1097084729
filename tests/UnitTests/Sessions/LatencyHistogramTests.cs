using Assistant.Sessions;

namespace Assistant.UnitTests.Sessions;

public sealed class LatencyHistogramTests
{
    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(99, 99, 1)]
    [InlineData(999, 999, 1)]
    [InlineData(1234, 1230, 10)]
    [InlineData(98_765, 98_700, 100)]
    public void Buckets_keep_three_significant_digits(long value, long bucket, long width)
    {
        Assert.Equal(bucket, LatencyHistogram.BucketOf(value));
        Assert.Equal(width, LatencyHistogram.WidthOf(bucket));
    }

    [Fact]
    public void P95_of_a_hundred_samples_is_the_95th_value()
    {
        var histogram = new LatencyHistogram();
        for (var ms = 1; ms <= 100; ms++)
        {
            histogram.Add(ms);
        }

        Assert.Equal(95, histogram.Percentile(95));
        Assert.Equal(100, histogram.Count);
        Assert.Equal(50.5, histogram.Average()!.Value, 3);
    }

    [Fact]
    public void Merged_silos_give_the_same_figures_as_one_histogram()
    {
        var whole = new LatencyHistogram();
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        foreach (var ms in new long[] { 5, 12, 12, 80, 250, 1200, 3400 })
        {
            whole.Add(ms);
            (ms % 2 == 0 ? a : b).Add(ms);
        }

        var merged = new LatencyHistogram();
        merged.Merge(a.Buckets);
        merged.Merge(b.Buckets);

        Assert.Equal(whole.Buckets, merged.Buckets);
        Assert.Equal(whole.Percentile(95), merged.Percentile(95));
        Assert.Equal(3409, merged.Percentile(95)); // the top of 3400's bucket: never under-reports
    }

    [Fact]
    public void An_empty_histogram_has_no_figures()
    {
        var empty = new LatencyHistogram();
        Assert.Null(empty.Average());
        Assert.Null(empty.Percentile(95));
    }
}
