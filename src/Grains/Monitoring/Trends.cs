namespace Assistant.Monitoring;

/// <summary>Memory and sessions per day, by least squares over the daily medians; null with fewer than two days.</summary>
public sealed record Growth(double? MemoryMbPerDay, double? SessionsPerDay);

/// <summary>The most sessions seen, when, and the hour of day (UTC) that is most often the busiest.</summary>
public sealed record Peak(int Sessions, DateTimeOffset? At, int? HourOfDay);

/// <summary>
/// The guide's "plan for 2x current peak": the memory one more session costs and the memory with
/// none (least squares of cluster memory against sessions over the samples), from which the
/// sessions the cluster holds before any silo reaches <c>Monitoring:EmergencyMemoryMb</c>, and
/// whether twice the peak fits. Null figures when the samples cannot tell (sessions never varied,
/// or memory did not grow with them); <see cref="Note"/> says why.
/// </summary>
public sealed record Capacity(
    double? MemoryPerSessionMb,
    double? BaselineMemoryMbPerSilo,
    double EmergencyMemoryMb,
    int Silos,
    int? SessionsBeforeEmergency,
    int DoubledPeakSessions,
    bool? HoldsDoubledPeak,
    string Note);

/// <param name="GuideBaselines">The guide's performance baselines beside the last health cycle's figures (as in <c>/resources/status</c>).</param>
public sealed record TrendsReport(int Days, IReadOnlyList<DailyBaseline> Daily, Growth Growth, Peak Peak, Capacity Capacity, IReadOnlyList<GuideBaseline>? GuideBaselines = null);

/// <summary>Trends and capacity from the stored baselines and samples: pure, so a seeded history gives known figures.</summary>
public static class Trends
{
    public static TrendsReport Compute(int days, IReadOnlyList<DailyBaseline> daily, IReadOnlyList<StoredSample> samples, int silos, MonitoringOptions options)
    {
        var growth = new Growth(
            Slope(daily.Select(d => ((double)d.Day.DayNumber, d.MemoryMb.P50)).ToList()) is { } m ? Math.Round(m, 2) : null,
            Slope(daily.Select(d => ((double)d.Day.DayNumber, d.Sessions.P50)).ToList()) is { } s ? Math.Round(s, 2) : null);
        var top = samples.MaxBy(r => r.Sample.ActiveSessions);
        var hour = daily.Count == 0 ? (int?)null : daily.GroupBy(d => d.PeakHour).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        var peak = new Peak(top?.Sample.ActiveSessions ?? 0, top?.Sample.Timestamp, hour);
        return new TrendsReport(days, daily, growth, peak, CapacityOf(samples, peak.Sessions, Math.Max(1, silos), options));
    }

    private static Capacity CapacityOf(IReadOnlyList<StoredSample> samples, int peak, int silos, MonitoringOptions options)
    {
        var doubled = 2 * peak;
        // Per silo: memory against the sessions each silo holds (the cluster's spread evenly).
        var perSilo = samples.Select(r => ((double)r.Sample.ActiveSessions / Math.Max(1, r.Silos), r.Sample.MemoryMb / Math.Max(1, r.Silos))).ToList();
        if (perSilo.Select(p => p.Item1).Distinct().Count() < 2)
        {
            return new Capacity(null, null, options.EmergencyMemoryMb, silos, null, doubled, null, "The number of sessions has not varied in this period, so the memory per session cannot be measured yet.");
        }

        var slope = Slope(perSilo);
        if (slope is not > 0)
        {
            return new Capacity(null, null, options.EmergencyMemoryMb, silos, null, doubled, null, "Memory did not grow with the number of sessions in this period; the sessions are not what limits this cluster.");
        }

        var baseline = perSilo.Average(p => p.Item2) - (slope.Value * perSilo.Average(p => p.Item1));
        var perSiloCapacity = Math.Max(0, (options.EmergencyMemoryMb - baseline) / slope.Value);
        var total = (int)Math.Floor(perSiloCapacity * silos);
        return new Capacity(
            Math.Round(slope.Value, 4),
            Math.Round(baseline, 1),
            options.EmergencyMemoryMb,
            silos,
            total,
            doubled,
            total >= doubled,
            total >= doubled
                ? $"Twice the peak ({doubled} sessions) fits: {total} sessions before a silo reaches {options.EmergencyMemoryMb} MB."
                : $"Twice the peak ({doubled} sessions) does not fit: {total} sessions before a silo reaches {options.EmergencyMemoryMb} MB; add {Math.Ceiling((doubled - total) / Math.Max(1, perSiloCapacity))} silo(s).");
    }

    /// <summary>Least-squares slope of y on x; null with fewer than two distinct x.</summary>
    public static double? Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Select(p => p.X).Distinct().Count() < 2)
        {
            return null;
        }

        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        return points.Sum(p => (p.X - mx) * (p.Y - my)) / points.Sum(p => (p.X - mx) * (p.X - mx));
    }
}
