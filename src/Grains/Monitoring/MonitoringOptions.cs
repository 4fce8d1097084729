namespace Assistant.Monitoring;

/// <summary>
/// The ResourceMonitor: cadences, limits and alert thresholds. Section <c>Monitoring</c>.
/// Defaults follow the operations guide.
/// </summary>
public sealed class MonitoringOptions
{
    public const string Section = "Monitoring";

    /// <summary>Seconds between health cycles (a grain timer). Default 30.</summary>
    public double HealthIntervalSeconds { get; set; } = 30;

    /// <summary>Seconds between optimisation cycles (a reminder; at least 60). Default 60.</summary>
    public double OptimizationIntervalSeconds { get; set; } = 60;

    /// <summary>Minutes between cleanup cycles (a reminder). Default 5.</summary>
    public double CleanupIntervalMinutes { get; set; } = 5;

    /// <summary>Hours between runs of the daily task (a reminder). Default 24.</summary>
    public double DailyIntervalHours { get; set; } = 24;

    /// <summary>Hours of health samples the monitor keeps in memory for <c>/resources/status?history=N</c>. Default 24.</summary>
    public double HistoryHours { get; set; } = 24;

    /// <summary>
    /// Days the health history stays in the database (table <c>health_history</c>, a row per health
    /// cycle; 5-minute means after a day, hourly means after a week). Default 90.
    /// </summary>
    public double HistoryDays { get; set; } = 90;

    /// <summary>Cluster memory growth, in MB per hour over the last hour, above which a medium memory_growth alert is raised. Default 50.</summary>
    public double MemoryGrowthMbPerHour { get; set; } = 50;

    /// <summary>Minutes of replies over which each silo's reply-time percentiles are measured. Default 5.</summary>
    public double LatencyWindowMinutes { get; set; } = 5;

    /// <summary>The guide's budget for a text reply: a p95 above it raises slow_replies. Default 2000 ms.</summary>
    public double ReplyBudgetTextMs { get; set; } = 2000;

    /// <summary>The guide's budget for a reply to a photo, voice note or document. Default 5000 ms.</summary>
    public double ReplyBudgetMediaMs { get; set; } = 5000;

    /// <summary>
    /// The memory a silo should stay within; memory_utilization_percent is measured against it.
    /// Default 800 MB, the guide's memory_warning level, so its ladder reads in order: 70 % (560 MB)
    /// optimisation, 600 MB emergency mode, 800 MB warning, 900 MB critical, 1000 MB restart.
    /// </summary>
    public double MemoryLimitMb { get; set; } = 800;

    /// <summary>
    /// Active sessions one silo is sized for; session load is measured against it. Default 1000:
    /// measured at about 100 KB per session with a full context, 1000 sessions hold about 350 MB,
    /// under the optimisation level.
    /// </summary>
    public int SessionCapacity { get; set; } = 1000;

    /// <summary>Memory utilisation at which a low alert is logged. Default 70 %.</summary>
    public double MemoryElevatedPercent { get; set; } = 70;

    /// <summary>Process memory above which a high memory_warning is raised. Default 800 MB.</summary>
    public double MemoryWarningMb { get; set; } = 800;

    /// <summary>Process memory above which a critical alert is raised (and a restart requested). Default 900 MB.</summary>
    public double MemoryCriticalMb { get; set; } = 900;

    /// <summary>Health score below which a high health_degraded alert is raised. Default 70, the guide's "alerts for health score &lt; 70".</summary>
    public double HealthScoreWarning { get; set; } = 70;

    /// <summary>
    /// How long the score must stay under <see cref="HealthScoreWarning"/> before health_degraded is
    /// raised, as the Prometheus rule's <c>for</c>: a start-up's first cycle (the JIT's CPU) is no
    /// incident. 0 raises it at the first low cycle. Default 60 s.
    /// </summary>
    public double HealthScoreSustainedSeconds { get; set; } = 60;

    /// <summary>CPU above which, held for <see cref="CpuSustainedSeconds"/>, a medium alert is raised. Default 80 %.</summary>
    public double CpuSustainedPercent { get; set; } = 80;

    /// <summary>How long CPU must stay above <see cref="CpuSustainedPercent"/>. Default 120 s.</summary>
    public double CpuSustainedSeconds { get; set; } = 120;

    /// <summary>CPU above which a high cpu_spike alert is raised. Default 85 %.</summary>
    public double CpuHighPercent { get; set; } = 85;

    /// <summary>Session load (of <see cref="SessionCapacity"/>) above which a medium alert is raised and inactive sessions are cleaned up. Default 80 %.</summary>
    public double SessionLoadPercent { get; set; } = 80;

    /// <summary>Disk use of the data folder's filesystem above which a high disk_space alert is raised. Default 90 %.</summary>
    public double DiskWarningPercent { get; set; } = 90;

    /// <summary>Disk use above which disk_space is critical. Default 95 %.</summary>
    public double DiskCriticalPercent { get; set; } = 95;

    /// <summary>Minutes before the same alert (type and silo) is delivered again. Default 15.</summary>
    public double AlertCooldownMinutes { get; set; } = 15;

    /// <summary>URL that receives medium and higher alerts as JSON POSTs; unset sends none.</summary>
    public string? AlertWebhookUrl { get; set; }

    /// <summary>How long one delivery of an alert (the webhook POST, or one admin's Telegram message) may take before it counts as failed and is retried later. Default 10 s.</summary>
    public double AlertDeliveryTimeoutSeconds { get; set; } = 10;

    /// <summary>Attempts per alert and destination before the delivery is given up (and logged). Default 5.</summary>
    public int AlertDeliveryAttempts { get; set; } = 5;

    /// <summary>Process memory above which emergency mode starts (emergency cleanup). Default 600 MB.</summary>
    public double EmergencyMemoryMb { get; set; } = 600;

    /// <summary>Emergency mode ends when memory is back under this. Default 540 MB.</summary>
    public double EmergencyExitMemoryMb { get; set; } = 540;

    /// <summary>Seconds between emergency cleanups while emergency mode lasts. Default 60.</summary>
    public double EmergencyCleanupCooldownSeconds { get; set; } = 60;

    /// <summary>Minutes of idleness after which an emergency cleanup deactivates a session. Default 1.</summary>
    public double EmergencyIdleMinutes { get; set; } = 1;

    /// <summary>CPU above which throttling starts. Default 85 %.</summary>
    public double ThrottleCpuPercent { get; set; } = 85;

    /// <summary>Throttling ends when CPU is back under this on every silo. Default 70 %.</summary>
    public double ThrottleExitCpuPercent { get; set; } = 70;

    /// <summary>Chat turns (HTTP and Telegram) a silo handles at once while throttling. Default 4.</summary>
    public int ThrottleConcurrency { get; set; } = 4;

    /// <summary>HTTP chat requests that may wait while throttling; beyond it, HTTP 429 (Telegram messages always wait: they are stored). Default 50.</summary>
    public int ThrottleQueueLength { get; set; } = 50;

    /// <summary>Retry-After sent with a throttled 429, in seconds. Default 5.</summary>
    public int ThrottleRetryAfterSeconds { get; set; } = 5;

    /// <summary>A Telegram message that has waited this long for its turn while throttling gets a "busy, your message is queued" note. Default 3 s.</summary>
    public double ThrottleNoticeSeconds { get; set; } = 3;

    /// <summary>Memory utilisation above which the optimisation cycle prunes contexts to the pressure window. Default 70 %.</summary>
    public double OptimizeAbovePercent { get; set; } = 70;

    /// <summary>Days after which finished server_tasks rows are deleted by the daily task. Default 7.</summary>
    public double TaskRetentionDays { get; set; } = 7;

    /// <summary>Sessions inactive this long have their context cleared by the cleanup cycle, at most this many per cycle. Default 500.</summary>
    public int ClearContextsPerCycle { get; set; } = 500;

    /// <summary>How long the CPU meter keeps its readings: the longest window a cycle asks for, twice over.</summary>
    internal TimeSpan CpuReadingsKept => TimeSpan.FromSeconds(2 * Math.Max(HealthIntervalSeconds, OptimizationIntervalSeconds));
}
