namespace Assistant.Silo.Hosting;

/// <summary>Where log files go. Section <c>Logs</c>; levels are in the <c>Serilog:MinimumLevel</c> section.</summary>
public sealed class LogsOptions
{
    public const string Section = "Logs";

    /// <summary>Folder of the log files; relative paths resolve against the working directory. Default <c>logs</c>.</summary>
    public string Directory { get; set; } = "logs";

    /// <summary>Size at which <c>system.log</c> and <c>telegram.log</c> roll over, in MB. Default 10.</summary>
    public int FileSizeLimitMb { get; set; } = 10;

    /// <summary>Files of <c>system.log</c> and <c>telegram.log</c> kept, the current one included. Default 3.</summary>
    public int RetainedFiles { get; set; } = 3;

    /// <summary>Daily files of the background-task log kept. Default 7.</summary>
    public int TaskLogDays { get; set; } = 7;

    /// <summary>Whether events also go to the console. Default true.</summary>
    public bool Console { get; set; } = true;
}
