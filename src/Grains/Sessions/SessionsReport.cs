namespace Assistant.Sessions;

/// <summary>The body of <c>GET /sessions/report</c>: every silo's active sessions, merged.</summary>
public sealed record SessionsReport(
    int ActiveSessions,
    IReadOnlyList<SiloSessions> Silos,
    SessionsMemory Memory,
    ResponseTimes ResponseTimeMs,
    IReadOnlyDictionary<string, long> MessagesByKind,
    IReadOnlyDictionary<string, long> ToolCalls,
    ErrorSummary Errors,
    IReadOnlyDictionary<string, long> SessionDuration)
{
    public static SessionsReport Merge(IReadOnlyList<SiloSessionReport> silos, int largest)
    {
        var latency = new LatencyHistogram();
        var tools = new Dictionary<string, long>();
        var kinds = MessageKind.All.ToDictionary(k => k, _ => 0L);
        var errors = new Dictionary<string, long>();
        var durations = SessionDurations.Labels.ToDictionary(l => l, _ => 0L);
        long replies = 0, bytes = 0;
        var active = 0;
        foreach (var silo in silos)
        {
            active += silo.ActiveSessions;
            bytes += silo.EstimatedBytes;
            replies += silo.Replies;
            latency.Merge(silo.ResponseTimeBuckets);
            LocalSessionRegistry.Sum(tools, silo.ToolCalls);
            LocalSessionRegistry.Sum(kinds, silo.MessagesByKind ?? new Dictionary<string, long>());
            LocalSessionRegistry.Sum(errors, silo.ErrorsByType);
            LocalSessionRegistry.Sum(durations, silo.DurationBuckets);
        }

        var totalErrors = errors.Values.Sum();
        var attempts = replies + totalErrors;
        return new SessionsReport(
            active,
            [.. silos.Select(s => new SiloSessions(s.Silo, s.ActiveSessions, s.EstimatedBytes))],
            new SessionsMemory(
                bytes,
                active == 0 ? 0 : bytes / active,
                [.. silos.SelectMany(s => s.Largest).OrderByDescending(s => s.EstimatedBytes).Take(largest)]),
            new ResponseTimes(latency.Count, latency.Average() is { } avg ? Math.Round(avg, 1) : null, latency.Percentile(95)),
            kinds,
            tools,
            new ErrorSummary(totalErrors, attempts == 0 ? 0 : Math.Round((double)totalErrors / attempts, 4), errors),
            durations);
    }
}

public sealed record SiloSessions(string Silo, int ActiveSessions, long EstimatedBytes);

public sealed record SessionsMemory(long EstimatedBytes, long AveragePerSessionBytes, IReadOnlyList<SessionMemory> Largest);

/// <summary>Over the last 20 responses of each active session.</summary>
public sealed record ResponseTimes(long Samples, double? Average, long? P95);

public sealed record ErrorSummary(long Total, double Rate, IReadOnlyDictionary<string, long> ByType);
