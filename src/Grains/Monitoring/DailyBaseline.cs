namespace Assistant.Monitoring;

/// <summary>p50, p95 and maximum of one figure over a day's samples.</summary>
public sealed record Spread(double P50, double P95, double Max)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0
            ? new Spread(0, 0, 0)
            : new Spread(Math.Round(At(sorted, 50), 1), Math.Round(At(sorted, 95), 1), Math.Round(sorted[^1], 1));
    }

    /// <summary>Nearest-rank percentile of sorted values; 0 for none.</summary>
    public static double At(IReadOnlyList<double> sorted, double percentile) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>
/// The guide's "performance baseline" of one day (UTC): the spread of memory, CPU, sessions, score
/// and reply time over its samples, the replies and errors by type, and the hour with the most
/// sessions. Reply time: p50 is the median of the cycles' medians, p95 and max those of the cycles' p95s.
/// </summary>
public sealed record DailyBaseline(
    DateOnly Day,
    int Samples,
    Spread MemoryMb,
    Spread CpuPercent,
    Spread Sessions,
    Spread Score,
    Spread ResponseMs,
    long Replies,
    IReadOnlyDictionary<string, long> Errors,
    int PeakHour)
{
    public static DailyBaseline Of(DateOnly day, IReadOnlyList<StoredSample> rows)
    {
        var samples = rows.Select(r => r.Sample).ToList();
        var errors = new Dictionary<string, long>();
        foreach (var s in samples)
        {
            Assistant.Sessions.LocalSessionRegistry.Sum(errors, s.Errors ?? new Dictionary<string, long>());
        }

        var answered = samples.Where(s => s.ReplyP50Ms > 0 || s.ReplyP95Ms > 0).ToList();
        var p50s = Spread.Of(answered.Select(s => s.ReplyP50Ms));
        var p95s = Spread.Of(answered.Select(s => s.ReplyP95Ms));
        var peakHour = samples.Count == 0 ? 0 : samples
            .GroupBy(s => s.Timestamp.UtcDateTime.Hour)
            .OrderByDescending(g => g.Average(s => s.ActiveSessions)).ThenBy(g => g.Key)
            .First().Key;
        return new DailyBaseline(
            day,
            samples.Count,
            Spread.Of(samples.Select(s => s.MemoryMb)),
            Spread.Of(samples.Select(s => s.CpuPercent)),
            Spread.Of(samples.Select(s => (double)s.ActiveSessions)),
            Spread.Of(samples.Select(s => s.HealthScore)),
            new Spread(p50s.P50, p95s.P95, p95s.Max),
            samples.Sum(s => (long)s.Replies),
            errors,
            peakHour);
    }
}
