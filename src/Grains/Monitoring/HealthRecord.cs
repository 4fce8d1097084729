using Microsoft.Extensions.Logging;

namespace Assistant.Monitoring;

/// <summary>
/// The health cycles' record: each cycle's sample kept in memory (<see cref="HealthHistory"/>)
/// and stored in <c>health_history</c>, loaded back when the monitor activates, and summarised
/// daily. What a sample counts (the replies and errors new since the last stored one) is decided
/// here, so a failed write loses no count: it goes into the next row that is stored. One per
/// monitor activation.
/// </summary>
internal sealed partial class HealthRecord(HealthHistoryStore store, MonitoringOptions options, ILogger logger)
{
    private readonly HealthHistory _history = new(TimeSpan.FromHours(options.HistoryHours), TimeSpan.FromSeconds(options.HealthIntervalSeconds));
    private Dictionary<string, ReplyFigures> _seen = [];
    private DateTimeOffset? _lastStoredAt;
    private bool _storeFailing;

    public IReadOnlyList<HealthSample> Latest(int count) => _history.Latest(count);

    public double? MemoryGrowthPerHour(DateTimeOffset now) => _history.MemoryGrowthPerHour(now);

    /// <summary>The last <c>Monitoring:HistoryHours</c> of samples from the database, so a restart or a move keeps the history.</summary>
    public async Task LoadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var row in await store.ReadAsync(now - TimeSpan.FromHours(options.HistoryHours), now + TimeSpan.FromMinutes(1), cancellationToken))
            {
                _history.AddStored(row.Sample with { Silos = row.Silos });
                _lastStoredAt = row.Sample.Timestamp;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHistoryNotLoaded(logger, ex.Message);
        }
    }

    /// <summary>This cycle's sample, kept and stored; returned for the cycle's log line.</summary>
    public async Task<HealthSample> AddAsync(IReadOnlyList<ResourceSnapshot> snapshots, double score, ClusterResources cluster, DateTimeOffset now)
    {
        var (sample, seen) = SampleOf(snapshots, score, cluster, now);
        _history.Add(sample);
        try
        {
            await store.AddAsync(sample, (int)options.HealthIntervalSeconds, sample.Silos);
            (_seen, _lastStoredAt, _storeFailing) = (seen, sample.Timestamp, false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (!_storeFailing)
            {
                LogHistoryNotStored(logger, ex.Message);
            }

            _storeFailing = true;
        }

        return sample;
    }

    /// <summary>The daily summary: days averaged into baselines, rows past <c>Monitoring:HistoryDays</c> removed.</summary>
    public async Task DailyAsync(DateTimeOffset now, IReadOnlyList<GuideBaseline> baselines)
    {
        try
        {
            var (days, compacted) = await store.DailyAsync(now, options.HistoryDays);
            LogBaselines(logger, days, compacted, options.HistoryDays);
            LogGuideBaselines(logger, GuideBaselines.Summary(baselines));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHistoryNotStored(logger, ex.Message); // the next daily run summarises the days this one missed
        }
    }

    /// <summary>
    /// The cluster's sample of this cycle: the cluster figures, the replies of every silo's window
    /// for the percentiles (the median weighted by replies, the highest p95), and the replies and
    /// errors by type new since the last stored sample, from each silo's counters. A silo seen for
    /// the first time by this activation is counted in full only if it started after the last
    /// stored sample; otherwise an earlier activation may have counted it, and only what comes
    /// next is counted. A silo that started again (a new start time) is counted from its start.
    /// </summary>
    private (HealthSample Sample, Dictionary<string, ReplyFigures> Seen) SampleOf(IReadOnlyList<ResourceSnapshot> snapshots, double score, ClusterResources cluster, DateTimeOffset now)
    {
        var figures = snapshots.Select(s => (s.Silo, Figures: s.Replies ?? ReplyFigures.None)).ToList();
        var window = figures.Sum(f => f.Figures.Replies);
        var p50 = window == 0 ? 0 : Math.Round(figures.Sum(f => f.Figures.P50Ms * f.Figures.Replies) / window);
        var p95 = figures.Count == 0 ? 0 : figures.Max(f => f.Figures.P95Ms);
        var seen = new Dictionary<string, ReplyFigures>(_seen);
        var errors = new Dictionary<string, long>();
        long replies = 0;
        foreach (var (silo, f) in figures)
        {
            var before = _seen.GetValueOrDefault(silo) is { } earlier && earlier.StartedAt == f.StartedAt
                ? earlier
                : !_seen.ContainsKey(silo) && _lastStoredAt is { } stored && f.StartedAt <= stored
                    ? f // first seen here, and running before the last stored sample: count from now on
                    : ReplyFigures.None; // new, or started again: everything since its start is new
            replies += Math.Max(0, f.RepliesSinceStart - before.RepliesSinceStart);
            foreach (var (type, count) in f.ErrorsSinceStart)
            {
                var added = count - before.ErrorsSinceStart.GetValueOrDefault(type);
                if (added > 0)
                {
                    errors[type] = errors.GetValueOrDefault(type) + added;
                }
            }

            seen[silo] = f;
        }

        return (new HealthSample(now, score, cluster.MemoryMb, cluster.CpuPercent, cluster.ActiveSessions, (int)replies, p50, p95, errors, snapshots.Count), seen);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Performance baseline update against the guide's baselines: {Comparison}")]
    private static partial void LogGuideBaselines(ILogger logger, string comparison);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health history not stored ({Reason}); the in-memory history goes on, and this is logged again only after a write succeeded")]
    private static partial void LogHistoryNotStored(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health history not loaded ({Reason}); /resources/status shows the samples from now on")]
    private static partial void LogHistoryNotLoaded(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Performance baseline update: {Baselines} day(s) summarised, {Compacted} history rows averaged or past Monitoring:HistoryDays ({Days}) removed")]
    private static partial void LogBaselines(ILogger logger, int baselines, int compacted, double days);
}
