namespace Assistant.Monitoring;

/// <summary>
/// The health cycles' samples for <c>Monitoring:HistoryHours</c>, kept by time, not by count. A
/// sample taken within half an interval of the last one (a refresh between cycles) replaces it, so
/// refreshes neither shorten the history nor grow it without bound. In memory: it starts again
/// when the monitor moves.
/// </summary>
internal sealed class HealthHistory(TimeSpan keep, TimeSpan interval)
{
    private readonly LinkedList<HealthSample> _samples = new();

    public void Add(HealthSample sample)
    {
        if (_samples.Last is { } last && sample.Timestamp - last.Value.Timestamp < interval / 2)
        {
            last.Value = sample;
        }
        else
        {
            _samples.AddLast(sample);
        }

        while (_samples.First!.Value.Timestamp < sample.Timestamp - keep)
        {
            _samples.RemoveFirst();
        }
    }

    /// <summary>The newest <paramref name="count"/> samples, oldest first.</summary>
    public IReadOnlyList<HealthSample> Latest(int count) => [.. _samples.TakeLast(Math.Max(0, count))];
}
