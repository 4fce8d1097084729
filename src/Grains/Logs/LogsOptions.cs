namespace Assistant.Logs;

/// <summary>Where log files go and how long they are kept. Section <c>Logs</c>; levels are in the <c>Serilog:MinimumLevel</c> section.</summary>
public sealed class LogsOptions
{
    public const string Section = "Logs";

    /// <summary>Folder of the log files; relative paths resolve against the working directory. Default <c>logs</c>.</summary>
    public string Directory { get; set; } = "logs";

    /// <summary>Size at which <c>system.log</c> and <c>telegram.log</c> roll over, in MB. Default 10.</summary>
    public int FileSizeLimitMb { get; set; } = 10;

    /// <summary>Backups of <c>system.log</c> and <c>telegram.log</c> kept beside the live file (<c>system.log.1</c> to <c>.3</c>). Default 3.</summary>
    public int RetainedFiles { get; set; } = 3;

    /// <summary>Days a rotated <c>tasks.log</c> (<c>tasks-YYYYMMDD.log</c>) is kept beside it; then it is deleted (or archived, <see cref="ArchiveTaskLogs"/>). Default 7.</summary>
    public int TaskLogDays { get; set; } = 7;

    /// <summary>Whether task logs past <see cref="TaskLogDays"/> go to <c>logs/archive/</c> like the other logs instead of being deleted. Default false.</summary>
    public bool ArchiveTaskLogs { get; set; }

    /// <summary>Days after which a compressed log in <c>logs/archive/</c> moves to <see cref="ColdStorageDirectory"/>. Default 30.</summary>
    public double ColdStorageDays { get; set; } = 30;

    /// <summary>Where archives older than <see cref="ColdStorageDays"/> go; relative to the working directory. Default <c>logs/cold</c>.</summary>
    public string ColdStorageDirectory { get; set; } = "logs/cold";

    /// <summary>Days after which an archive in cold storage is deleted. Default 90.</summary>
    public double DeleteAfterDays { get; set; } = 90;

    /// <summary>Whether events also go to the console. Default true.</summary>
    public bool Console { get; set; } = true;
}
