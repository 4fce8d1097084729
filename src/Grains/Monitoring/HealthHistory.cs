namespace Assistant.Monitoring;

/// <summary>
/// The health cycles' samples for <c>Monitoring:HistoryHours</c>, kept by time, not by count. A
/// sample taken within half an interval of the last one (a refresh between cycles) replaces it, so
/// refreshes neither shorten the history nor grow it without bound. In memory, loaded from
/// <c>health_history</c> when the monitor activates.
/// </summary>
internal sealed class HealthHistory(TimeSpan keep, TimeSpan interval)
{
    private readonly LinkedList<HealthSample> _samples = new();
    private bool _lastIsStored;

    /// <summary>A sample read back from the database: kept as it is, never replaced by the next one.</summary>
    public void AddStored(HealthSample sample)
    {
        Add(sample);
        _lastIsStored = true;
    }

    public void Add(HealthSample sample)
    {
        if (_samples.Last is { } last && !_lastIsStored && sample.Timestamp - last.Value.Timestamp < interval / 2)
        {
            last.Value = sample;
        }
        else
        {
            _samples.AddLast(sample);
        }

        _lastIsStored = false;

        while (_samples.First!.Value.Timestamp < sample.Timestamp - keep)
        {
            _samples.RemoveFirst();
        }
    }

    /// <summary>
    /// The cluster's memory growth in MB per hour over the last hour (least squares), or null until
    /// the samples with the current number of silos span half an hour: a start-up's first minutes are not a trend.
    /// </summary>
    public double? MemoryGrowthPerHour(DateTimeOffset now)
    {
        // Only samples with the newest silo count: a silo joining or leaving moves the cluster's
        // memory by a whole process, which is not growth.
        var silos = _samples.Last?.Value.Silos;
        var recent = _samples.Where(s => s.Timestamp >= now - TimeSpan.FromHours(1) && s.Silos == silos).ToList();
        if (recent.Count < 2 || recent[^1].Timestamp - recent[0].Timestamp < TimeSpan.FromMinutes(30))
        {
            return null;
        }

        return Trends.Slope([.. recent.Select(s => ((s.Timestamp - now).TotalHours, s.MemoryMb))]);
    }

    /// <summary>The newest <paramref name="count"/> samples, oldest first.</summary>
    public IReadOnlyList<HealthSample> Latest(int count) => [.. _samples.TakeLast(Math.Max(0, count))];
}
