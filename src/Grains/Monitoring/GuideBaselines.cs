using System.Globalization;

namespace Assistant.Monitoring;

/// <summary>What the guide's baselines are compared with, as one health cycle measured it.</summary>
/// <param name="Silos">This cycle's snapshots.</param>
/// <param name="MbPerSession">Memory one more session costs a silo (least squares over the history), or null until the sessions have varied.</param>
/// <param name="CpuTypical">The median CPU of the history in memory (<c>Monitoring:HistoryHours</c>).</param>
/// <param name="CpuSustained">The busiest silo's mean CPU over <c>Monitoring:CpuSustainedSeconds</c>.</param>
/// <param name="SessionsHeld">Sessions the cluster holds: its capacity, or fewer where the measured memory per session reaches the emergency level first.</param>
public sealed record BaselineFigures(IReadOnlyList<ResourceSnapshot> Silos, double? MbPerSession, double CpuTypical, double CpuSustained, int SessionsHeld);

/// <summary>
/// The operations guide's "Performance Baselines" against measured figures: memory 300 MB plus 30 MB
/// a session (per silo; our own figure per session beside it), CPU 20 % at baseline and 80 % at most
/// sustained, 50 sessions and more, and replies under 2 s for text and 5 s for media at the p95 of
/// the last <c>Monitoring:LatencyWindowMinutes</c> (<c>Monitoring:ReplyBudgetTextMs</c>, <c>ReplyBudgetMediaMs</c>). Pure.
/// </summary>
public static class GuideBaselines
{
    public const double BaseMemoryMb = 300;
    public const double MemoryPerSessionMb = 30;
    public const double CpuBaselinePercent = 20;
    public const double CpuSustainedMaxPercent = 80;
    public const int Sessions = 50;

    public static IReadOnlyList<GuideBaseline> Compare(BaselineFigures f, MonitoringOptions options)
    {
        var heaviest = f.Silos.MaxBy(s => s.MemoryMb - (MemoryPerSessionMb * s.ActiveSessions));
        var memoryLimit = heaviest is null ? BaseMemoryMb : BaseMemoryMb + (MemoryPerSessionMb * heaviest.ActiveSessions);
        var replies = f.Silos.Select(s => s.Replies).OfType<ReplyFigures>().ToList();
        var text = replies.Where(r => r.TextReplies > 0).Select(r => r.TextP95Ms).DefaultIfEmpty().Max();
        var media = replies.Where(r => r.MediaReplies > 0).Select(r => r.MediaP95Ms).DefaultIfEmpty().Max();
        var anyText = replies.Any(r => r.TextReplies > 0);
        var anyMedia = replies.Any(r => r.MediaReplies > 0);
        var window = F(options.LatencyWindowMinutes);
        return
        [
            new("memory", "300 MB + 30 MB per session", heaviest?.MemoryMb, memoryLimit, "MB", heaviest is null ? null : heaviest.MemoryMb <= memoryLimit,
                (heaviest is null ? "No silo measured yet." : $"Silo {heaviest.Silo}: {F(heaviest.MemoryMb)} MB with {heaviest.ActiveSessions} sessions. ")
                + (f.MbPerSession is { } per ? $"Measured here: {F(per * 1024)} KB per session." : "The memory per session is measured once the number of sessions has varied.")),
            new("cpu_baseline", "20 % CPU", f.CpuTypical, CpuBaselinePercent, "%", f.Silos.Count == 0 ? null : f.CpuTypical <= CpuBaselinePercent,
                $"Median CPU over the last {F(options.HistoryHours)} h of health cycles."),
            new("cpu_sustained", "80 % CPU at most, sustained", f.CpuSustained, CpuSustainedMaxPercent, "%", f.Silos.Count == 0 ? null : f.CpuSustained <= CpuSustainedMaxPercent,
                $"The busiest silo's mean CPU over the last {F(options.CpuSustainedSeconds)} s."),
            new("sessions", "50+ concurrent sessions", f.SessionsHeld, Sessions, "sessions", f.SessionsHeld >= Sessions,
                $"Sessions this cluster holds: Monitoring:SessionCapacity x silos, or fewer where the measured memory per session reaches Monitoring:EmergencyMemoryMb ({F(options.EmergencyMemoryMb)} MB) first."),
            new("response_text", "< 2 s for text", anyText ? text : null, options.ReplyBudgetTextMs, "ms", anyText ? text < options.ReplyBudgetTextMs : null,
                anyText ? $"p95 of text replies over the last {window} min (the slowest silo)." : $"No text reply in the last {window} min."),
            new("response_media", "< 5 s for media", anyMedia ? media : null, options.ReplyBudgetMediaMs, "ms", anyMedia ? media < options.ReplyBudgetMediaMs : null,
                anyMedia ? $"p95 of photo, voice and document replies over the last {window} min (the slowest silo)." : $"No photo, voice or document reply in the last {window} min."),
        ];
    }

    /// <summary>The figures of a health cycle: its snapshots, each silo's earlier CPU samples, and the history in memory.</summary>
    public static BaselineFigures Measure(
        IReadOnlyList<ResourceSnapshot> silos, IReadOnlyDictionary<string, List<(DateTimeOffset At, double Cpu)>> cpuHistory, IReadOnlyList<HealthSample> history, MonitoringOptions options)
    {
        var perSilo = history.Where(h => h.Silos > 0).Select(h => ((double)h.ActiveSessions / h.Silos, h.MemoryMb / h.Silos)).ToList();
        var slope = Trends.Slope(perSilo) is > 0 and var s ? s : (double?)null;
        var held = options.SessionCapacity * Math.Max(1, silos.Count);
        if (slope is { } mb && perSilo.Count > 0)
        {
            var baseline = perSilo.Average(p => p.Item2) - (mb * perSilo.Average(p => p.Item1));
            held = Math.Min(held, (int)Math.Floor(Math.Max(0, (options.EmergencyMemoryMb - baseline) / mb) * Math.Max(1, silos.Count)));
        }

        var cpus = history.Select(h => h.CpuPercent).Order().ToList();
        var typical = cpus.Count == 0 ? silos.Select(x => x.CpuPercent).DefaultIfEmpty().Average() : cpus[cpus.Count / 2];
        var sustained = silos.Select(x =>
        {
            var since = x.Timestamp - TimeSpan.FromSeconds(options.CpuSustainedSeconds);
            return cpuHistory.GetValueOrDefault(x.Silo, []).Where(c => c.At >= since).Select(c => c.Cpu).Append(x.CpuPercent).Average();
        }).DefaultIfEmpty().Max();
        return new BaselineFigures(silos, slope, Math.Round(typical, 1), Math.Round(sustained, 1), held);
    }

    /// <summary>One line for the log: each figure, within or over.</summary>
    public static string Summary(IReadOnlyList<GuideBaseline> baselines) => string.Join("; ", baselines.Select(b =>
        $"{b.Figure} {(b.Within switch { true => "within", false => "outside", null => "not measured" })}" +
        (b.Measured is { } m ? $" ({F(m)} {b.Unit} against {F(b.Limit)})" : "")));

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
