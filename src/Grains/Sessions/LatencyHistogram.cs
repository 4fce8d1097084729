namespace Assistant.Sessions;

/// <summary>
/// Response times in buckets that keep three significant digits (exact below 1 s, within 1 %
/// above), so that silos can send counts instead of samples and the sums still give an
/// average and percentiles.
/// </summary>
public sealed class LatencyHistogram
{
    private readonly SortedDictionary<long, long> _buckets = [];

    public long Count { get; private set; }

    public IReadOnlyDictionary<long, long> Buckets => _buckets;

    /// <summary>The lowest value of the bucket that holds <paramref name="milliseconds"/>.</summary>
    public static long BucketOf(long milliseconds)
    {
        if (milliseconds < 1000)
        {
            return Math.Max(0, milliseconds);
        }

        var scale = 1L;
        while (milliseconds / scale >= 1000)
        {
            scale *= 10;
        }

        return milliseconds / scale * scale;
    }

    /// <summary>The width of the bucket whose lowest value is <paramref name="bucket"/>.</summary>
    public static long WidthOf(long bucket)
    {
        if (bucket < 1000)
        {
            return 1;
        }

        var scale = 1L;
        while (bucket / scale >= 1000)
        {
            scale *= 10;
        }

        return scale;
    }

    public void Add(long milliseconds, long count = 1)
    {
        var bucket = BucketOf(milliseconds);
        _buckets[bucket] = _buckets.GetValueOrDefault(bucket) + count;
        Count += count;
    }

    public void Merge(IReadOnlyDictionary<long, long> buckets)
    {
        foreach (var (bucket, count) in buckets)
        {
            _buckets[bucket] = _buckets.GetValueOrDefault(bucket) + count;
            Count += count;
        }
    }

    /// <summary>The average, taking each bucket at its middle; null when empty.</summary>
    public double? Average()
    {
        if (Count == 0)
        {
            return null;
        }

        var sum = 0.0;
        foreach (var (bucket, count) in _buckets)
        {
            var width = WidthOf(bucket);
            sum += (bucket + ((width - 1) / 2.0)) * count;
        }

        return sum / Count;
    }

    /// <summary>
    /// The smallest value at or below which <paramref name="percentile"/> % of the samples fall,
    /// reported as the top of its bucket (never under-reports); null when empty.
    /// </summary>
    public long? Percentile(double percentile)
    {
        if (Count == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        var seen = 0L;
        foreach (var (bucket, count) in _buckets)
        {
            seen += count;
            if (seen >= rank)
            {
                return bucket + WidthOf(bucket) - 1;
            }
        }

        var last = _buckets.Keys.Last();
        return last + WidthOf(last) - 1;
    }
}
