using System.Globalization;

namespace Assistant.Monitoring;

/// <summary>
/// Which alerts hold for the figures of one health cycle. Pure: the same figures give the same
/// alerts; delivering them (and not too often) is <see cref="AlertGate"/>'s business.
/// </summary>
public sealed class AlertRules(MonitoringOptions options)
{
    public const string MemoryElevated = "memory_elevated";
    public const string MemoryWarning = "memory_warning";
    public const string MemoryCritical = "memory_critical";
    public const string CpuSustained = "cpu_sustained";
    public const string CpuSpike = "cpu_spike";
    public const string SessionOverflow = "session_overflow";
    public const string DiskSpace = "disk_space";
    public const string HealthDegraded = "health_degraded";
    public const string MemoryGrowth = "memory_growth";
    public const string SlowTextReplies = "slow_replies_text";
    public const string SlowMediaReplies = "slow_replies_media";

    public const string ClusterSilo = "cluster";

    /// <summary>Whether restarting the silo clears this alert's cause: memory does; disk, CPU and session load do not.</summary>
    public static bool RestartHelps(string alertType) => alertType == MemoryCritical;

    /// <param name="snapshot">The silo's snapshot of this cycle.</param>
    /// <param name="cpuHistory">The silo's earlier CPU samples, oldest first, for the sustained-CPU rule.</param>
    public IEnumerable<PerformanceAlert> ForSilo(ResourceSnapshot snapshot, IReadOnlyList<(DateTimeOffset At, double Cpu)> cpuHistory)
    {
        var s = snapshot;
        if (s.MemoryMb > options.MemoryCriticalMb)
        {
            yield return Alert(MemoryCritical, AlertSeverity.Critical, s,
                $"Memory at {F(s.MemoryMb)} MB, over the critical {F(options.MemoryCriticalMb)} MB.",
                "The silo is restarted automatically when supervised (Restart:OnCriticalAlerts); then look for the sessions or contexts that grew.");
        }
        else if (s.MemoryMb > Math.Min(options.MemoryWarningMb, options.MemoryLimitMb))
        {
            // Severity only rises with memory: over the limit utilisation is measured against is
            // never less than high, even with a limit under Monitoring:MemoryWarningMb.
            yield return Alert(MemoryWarning, AlertSeverity.High, s,
                s.MemoryMb > options.MemoryWarningMb
                    ? $"Memory at {F(s.MemoryMb)} MB, over {F(options.MemoryWarningMb)} MB."
                    : $"Memory at {F(s.MemoryMb)} MB, over the {F(options.MemoryLimitMb)} MB limit (Monitoring:MemoryLimitMb).",
                "Run POST /resources/cleanup, or add a silo if the load is real.");
        }
        else if (s.MemoryUtilizationPercent > options.MemoryElevatedPercent)
        {
            yield return Alert(MemoryElevated, AlertSeverity.Low, s,
                $"Memory at {F(s.MemoryUtilizationPercent)} % of the {F(options.MemoryLimitMb)} MB limit.",
                "Nothing yet; the optimisation cycle prunes contexts above this level.");
        }

        if (s.CpuPercent > options.CpuHighPercent)
        {
            yield return Alert(CpuSpike, AlertSeverity.High, s,
                $"CPU at {F(s.CpuPercent)} %, over {F(options.CpuHighPercent)} %.",
                "Chat requests are being throttled; add a silo if it persists.");
        }
        else if (s.CpuPercent > options.CpuSustainedPercent && Sustained(s, cpuHistory))
        {
            yield return Alert(CpuSustained, AlertSeverity.Medium, s,
                $"CPU above {F(options.CpuSustainedPercent)} % for {F(options.CpuSustainedSeconds)} s (now {F(s.CpuPercent)} %).",
                "Check what the load is; add a silo if it is real.");
        }

        if (s.Replies is { } replies)
        {
            var minutes = F(options.LatencyWindowMinutes);
            if (replies.TextReplies > 0 && replies.TextP95Ms > options.ReplyBudgetTextMs)
            {
                yield return Alert(SlowTextReplies, AlertSeverity.Medium, s,
                    $"Text replies p95 {F(replies.TextP95Ms)} ms over the last {minutes} min ({replies.TextReplies} replies), over the {F(options.ReplyBudgetTextMs)} ms budget.",
                    "Check the model endpoint's latency (assistant_reply_duration_seconds, the model's own metrics) and the silo's CPU; throttling starts on its own at Monitoring:ThrottleCpuPercent.");
            }

            if (replies.MediaReplies > 0 && replies.MediaP95Ms > options.ReplyBudgetMediaMs)
            {
                yield return Alert(SlowMediaReplies, AlertSeverity.Medium, s,
                    $"Photo, voice and document replies p95 {F(replies.MediaP95Ms)} ms over the last {minutes} min ({replies.MediaReplies} replies), over the {F(options.ReplyBudgetMediaMs)} ms budget.",
                    "Check Telegram file downloads and the transcription endpoint as well as the model.");
            }
        }

        var load = 100.0 * s.ActiveSessions / options.SessionCapacity;
        if (load > options.SessionLoadPercent)
        {
            yield return Alert(SessionOverflow, AlertSeverity.Medium, s,
                $"{s.ActiveSessions} active sessions, {F(load)} % of the capacity of {options.SessionCapacity}.",
                "Inactive sessions are being cleaned up; raise Monitoring:SessionCapacity or add a silo if this is the normal load.");
        }

        if (s.DiskUsagePercent > options.DiskCriticalPercent)
        {
            yield return Alert(DiskSpace, AlertSeverity.Critical, s,
                $"The data folder's disk is {F(s.DiskUsagePercent)} % full.",
                "Older backups, finished tasks and the WAL were cleaned up automatically (a restart would free nothing); if it stays full, free space in logs/ and backup/ or move Storage:DatabasePath to a larger disk.");
        }
        else if (s.DiskUsagePercent > options.DiskWarningPercent)
        {
            yield return Alert(DiskSpace, AlertSeverity.High, s,
                $"The data folder's disk is {F(s.DiskUsagePercent)} % full.",
                "Older backups, finished tasks and the WAL were cleaned up automatically; free space in logs/ and backup/ or run scripts/maintenance.sh vacuum.");
        }
    }

    /// <param name="cluster">The cluster as one snapshot (<see cref="HealthScore.ClusterSnapshot"/>), carried by the alerts.</param>
    /// <param name="memoryGrowthPerHour">The cluster's memory growth over the last hour in MB per hour, or null when not known yet.</param>
    /// <param name="scoreLowFor">How long the score has been under <c>Monitoring:HealthScoreWarning</c> (zero from the first low cycle), or null when it is not.</param>
    public IEnumerable<PerformanceAlert> ForCluster(double healthScore, ResourceSnapshot cluster, double? memoryGrowthPerHour = null, TimeSpan? scoreLowFor = null)
    {
        if (memoryGrowthPerHour > options.MemoryGrowthMbPerHour)
        {
            yield return new PerformanceAlert(MemoryGrowth, AlertSeverity.Medium,
                $"Memory growing {F(memoryGrowthPerHour.Value)} MB per hour over the last hour, over {F(options.MemoryGrowthMbPerHour)}.", cluster.Timestamp, ClusterSilo, cluster,
                "See GET /resources/trends and /sessions/report (largest sessions); a steady climb without more sessions is a leak to report.");
        }

        if (healthScore < options.HealthScoreWarning && scoreLowFor >= TimeSpan.FromSeconds(options.HealthScoreSustainedSeconds))
        {
            yield return new PerformanceAlert(HealthDegraded, AlertSeverity.High,
                $"Health score {F(healthScore)}, under {F(options.HealthScoreWarning)} for {F(scoreLowFor.Value.TotalSeconds)} s.", cluster.Timestamp, ClusterSilo, cluster,
                "See the silos' figures in /resources/status; clean up or add capacity.");
        }
    }

    private bool Sustained(ResourceSnapshot now, IReadOnlyList<(DateTimeOffset At, double Cpu)> history)
    {
        var since = now.Timestamp - TimeSpan.FromSeconds(options.CpuSustainedSeconds);
        if (history.Count == 0 || history[0].At > since)
        {
            return false; // Not observed for the whole window yet.
        }

        return history.Where(h => h.At >= since).All(h => h.Cpu > options.CpuSustainedPercent);
    }

    private static PerformanceAlert Alert(string type, AlertSeverity severity, ResourceSnapshot snapshot, string message, string action) =>
        new(type, severity, $"{snapshot.Silo}: {message}", snapshot.Timestamp, snapshot.Silo, snapshot, action);

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
