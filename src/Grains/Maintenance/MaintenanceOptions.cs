namespace Assistant.Maintenance;

/// <summary>Database maintenance and backups. Section <c>Maintenance</c>.</summary>
public sealed class MaintenanceOptions
{
    public const string Section = "Maintenance";

    /// <summary>Folder of backups; relative paths resolve against the working directory. Default <c>backup</c>.</summary>
    public string BackupDirectory { get; set; } = "backup";

    /// <summary>Backups kept; older ones are deleted after each new backup. Default 7.</summary>
    public int BackupRetain { get; set; } = 7;

    /// <summary>Hours between scheduled backups; 0 turns them off. Default 24.</summary>
    public double BackupIntervalHours { get; set; } = 24;

    /// <summary>Days between scheduled VACUUM and ANALYZE runs; 0 turns them off. Default 7 (weekly).</summary>
    public double VacuumIntervalDays { get; set; } = 7;

    /// <summary>
    /// Minutes a low-priority task (VACUUM, REINDEX, backup) may wait, from when it was queued,
    /// while a reply is in progress on the silo or CPU is over <c>Monitoring:ThrottleCpuPercent</c>;
    /// then it runs anyway. Default 60.
    /// </summary>
    public double LowPriorityMaxWaitMinutes { get; set; } = 60;

    /// <summary>Attempts a task gets when a crash interrupts it before it is marked failed. Default 2.</summary>
    public int TaskAttempts { get; set; } = 2;

    /// <summary>Seconds <c>POST /maintenance/{operation}</c> waits for the task before answering 202. Default 60.</summary>
    public double WaitSeconds { get; set; } = 60;
}
