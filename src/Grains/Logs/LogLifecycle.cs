using System.IO.Compression;
using System.Text.RegularExpressions;
using Assistant.Maintenance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Logs;

/// <summary>
/// The log lifecycle of this host's log folder, as the operations guide describes it:
/// <list type="number">
/// <item><c>tasks.log</c> rotated to <c>tasks-YYYYMMDD.log</c> when it holds an earlier day;</item>
/// <item>rotated logs compressed into <c>archive/</c> (gzip): the backups of <c>system</c> and
/// <c>telegram</c> (<c>system.log.1</c> ..., never the live <c>system.log</c>), as
/// <c>system-YYYYMMDD-HHMMSS.log.gz</c> after their last write; <c>tasks-YYYYMMDD.log</c> once
/// older than <c>Logs:TaskLogDays</c> is deleted, as the guide keeps task logs 7 days, or
/// compressed like the others with <c>Logs:ArchiveTaskLogs</c>;</item>
/// <item>archives older than <c>Logs:ColdStorageDays</c> moved to <c>Logs:ColdStorageDirectory</c>;</item>
/// <item>archives there older than <c>Logs:DeleteAfterDays</c> deleted.</item>
/// </list>
/// Ages are those of the log's last write, which the archive keeps. Silos sharing the folder run it
/// one at a time (a lock file); a second run meanwhile reports that and does nothing.
/// </summary>
public sealed partial class LogLifecycle(IOptions<LogsOptions> options, [FromKeyedServices(Clock.Key)] TimeProvider time, ILogger<LogLifecycle> logger)
{
    private static readonly Regex Rolled = RolledName();

    public LogLifecycleReport Run()
    {
        var settings = options.Value;
        var folder = Path.GetFullPath(settings.Directory);
        var archive = Path.Combine(folder, "archive");
        var cold = Path.GetFullPath(settings.ColdStorageDirectory);
        var now = time.GetLocalNow().DateTime;
        List<string> rotated = [], compressed = [], moved = [], deleted = [], problems = [];
        long saved = 0;
        if (!Directory.Exists(folder))
        {
            return new LogLifecycleReport(folder, rotated, compressed, moved, deleted, 0, [$"{folder} does not exist"]);
        }

        FileStream exclusive;
        try
        {
            exclusive = new FileStream(Path.Combine(folder, ".lifecycle"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return new LogLifecycleReport(folder, rotated, compressed, moved, deleted, 0, ["another silo on this host is running the lifecycle of this folder now"]);
        }

        using (exclusive)
        {
            if (DailyLog.RotateIfOld(folder, "tasks", DateOnly.FromDateTime(now)) is { } done)
            {
                rotated.Add(Path.GetFileName(done));
            }

            foreach (var log in Sized)
            {
                Try(problems, log, () => StageBackups(folder, log));
            }

            foreach (var file in ToCompress(folder, now.AddDays(-settings.TaskLogDays)))
            {
                Try(problems, file, () =>
                {
                    if (!settings.ArchiveTaskLogs && Path.GetFileName(file).StartsWith("tasks-", StringComparison.Ordinal))
                    {
                        File.Delete(file); // the guide's "daily rotation, 7 days retention"
                        deleted.Add(Path.GetFileName(file));
                        return;
                    }

                    saved += Compress(file, archive);
                    compressed.Add(Path.GetFileName(file));
                });
            }

            foreach (var file in OlderThan(archive, now.AddDays(-settings.ColdStorageDays)))
            {
                Try(problems, file, () =>
                {
                    Directory.CreateDirectory(cold);
                    File.Move(file, DailyLog.FreeName(cold, Path.GetFileNameWithoutExtension(file), Path.GetExtension(file)));
                    moved.Add(Path.GetFileName(file));
                });
            }

            foreach (var file in OlderThan(cold, now.AddDays(-settings.DeleteAfterDays)))
            {
                Try(problems, file, () =>
                {
                    File.Delete(file);
                    deleted.Add(Path.GetFileName(file));
                });
            }
        }

        var report = new LogLifecycleReport(folder, rotated, compressed, moved, deleted, saved, problems);
        LogDone(logger, report.Summary);
        return report;
    }

    /// <summary>The logs rotated by size (<see cref="RotatingLog"/>).</summary>
    public static readonly string[] Sized = ["system", "telegram"];

    /// <summary>
    /// Renames each backup <c>name.log.N</c> to <c>name-YYYYMMDD-HHMMSS.log</c> after its last write,
    /// under the writers' lock, so a roll never shifts a backup while it is being compressed.
    /// </summary>
    private static void StageBackups(string folder, string name)
    {
        using var writers = RotatingLog.Hold(folder, name);
        foreach (var backup in Directory.GetFiles(folder, name + ".log.*").Where(f => int.TryParse(Path.GetExtension(f).TrimStart('.'), out _)))
        {
            File.Move(backup, DailyLog.FreeName(folder, $"{name}-{File.GetLastWriteTime(backup):yyyyMMdd-HHmmss}", ".log"));
        }
    }

    /// <summary>
    /// The rotated files of each log: of <c>system</c> and <c>telegram</c> the staged backups (and
    /// <c>system_001.log</c> ... of builds that rolled that way), never the live file; of
    /// <c>tasks</c> the dated files last written before <paramref name="tasksBefore"/>.
    /// </summary>
    private static IEnumerable<string> ToCompress(string folder, DateTime tasksBefore) =>
        Directory.GetFiles(folder, "*.log")
            .Select(f => (Path: f, Match: Rolled.Match(Path.GetFileName(f))))
            .Where(f => f.Match.Success && (f.Match.Groups["log"].Value != "tasks" || File.GetLastWriteTime(f.Path) < tasksBefore))
            .Select(f => f.Path)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Writes <c>archive/name.log.gz</c> with the file's last-write time, then deletes the file; returns the bytes saved.</summary>
    public static long Compress(string file, string archive)
    {
        Directory.CreateDirectory(archive);
        var written = File.GetLastWriteTimeUtc(file);
        var target = DailyLog.FreeName(archive, Path.GetFileName(file), ".gz");
        var partial = target + ".partial";
        using (var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var gzip = new GZipStream(new FileStream(partial, FileMode.Create, FileAccess.Write), CompressionLevel.Optimal))
        {
            source.CopyTo(gzip);
        }

        File.SetLastWriteTimeUtc(partial, written);
        File.Move(partial, target);
        var saved = new FileInfo(file).Length - new FileInfo(target).Length;
        File.Delete(file);
        return saved;
    }

    private static IEnumerable<string> OlderThan(string folder, DateTime before) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.gz").Where(f => File.GetLastWriteTime(f) < before).Order(StringComparer.Ordinal).ToList()
            : [];

    private void Try(List<string> problems, string file, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{Path.GetFileName(file)}: {ex.Message}");
            LogProblem(logger, file, ex.Message);
        }
    }

    // Rolled: system-20261207-021500.log, telegram-20261207-021500-1.log, system_001.log (older builds); tasks-20261201.log, tasks-20261201-1.log.
    [GeneratedRegex(@"^(?:(?<log>system|telegram)(?:_\d+|-\d{8}-\d{6}(?:-\d+)?)|(?<log>tasks)-\d{8}(?:-\d+)?)\.log$")]
    private static partial Regex RolledName();

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Log lifecycle: {Summary}")]
    private static partial void LogDone(ILogger logger, string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log lifecycle: could not process {File}: {Reason}")]
    private static partial void LogProblem(ILogger logger, string file, string reason);
}
