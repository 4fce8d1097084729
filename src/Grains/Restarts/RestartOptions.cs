namespace Assistant.Restarts;

/// <summary>Automatic and manual restarts. Section <c>Restart</c>.</summary>
public sealed class RestartOptions
{
    public const string Section = "Restart";

    /// <summary>Whether the monitor may restart silos by itself (critical alerts, memory limit). Default true.</summary>
    public bool AutoRestart { get; set; } = true;

    /// <summary>Process memory above which a silo is restarted automatically. Default 1000 MB.</summary>
    public double MemoryLimitMb { get; set; } = 1000;

    /// <summary>Whether critical alerts restart the silo they concern. Default true.</summary>
    public bool OnCriticalAlerts { get; set; } = true;

    /// <summary>Restarts one silo may have in an hour; more are refused and raise an alert instead. Default 3.</summary>
    public int MaxPerHour { get; set; } = 3;

    /// <summary>An automatic restart waits this long after the silo's previous one, doubled for each restart in the hour. Default 60 s.</summary>
    public double BackoffBaseSeconds { get; set; } = 60;

    /// <summary>How long a restarting silo lets replies in progress finish. Default 300 s (the guide's emergency grace).</summary>
    public double GraceSeconds { get; set; } = 300;

    /// <summary>
    /// Whether something starts the silo again after a requested restart (exit code 75). Unset
    /// (the default): detected (scripts/supervise.sh, systemd). Unsupervised, the monitor raises a
    /// restart_needed alert instead of restarting, and POST /restart/force answers 409.
    /// </summary>
    public bool? Supervised { get; set; }

    /// <summary>A daily rolling restart at this UTC time (<c>HH:mm</c>), one silo at a time; unset for none.</summary>
    public string? ScheduledTime { get; set; }
}
