using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Maintenance;

/// <summary>
/// What the autopilot does about a full disk instead of restarting (a restart frees no disk):
/// deletes finished background tasks past their retention and on SQLite folds the WAL back into
/// the database; when the disk is critically full, also deletes all but the newest backup in
/// <c>Maintenance:BackupDirectory</c> and the rolled log files in <c>Logs:Directory</c> (every file
/// of a log but the one being written, and <c>logs/archive/</c>). Says what it freed.
/// </summary>
public sealed partial class DiskRelief(MaintenanceOperations operations, IOptions<MaintenanceOptions> options, IConfiguration configuration, ILogger<DiskRelief> logger)
{
    public async Task<string> RelieveAsync(bool critical, CancellationToken cancellationToken = default)
    {
        var parts = new List<string>();
        if (critical)
        {
            parts.Add(PruneBackups());
            parts.Add(PruneLogs());
        }

        foreach (var operation in new[] { MaintenanceOperations.TaskCleanup, MaintenanceOperations.Checkpoint })
        {
            if (operations.Refusal(operation) is not null)
            {
                continue; // checkpoint is SQLite's
            }

            try
            {
                parts.Add((await operations.RunAsync(operation, cancellationToken)).Summary);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                parts.Add($"{operation} failed: {ex.Message}");
            }
        }

        var summary = string.Join(" ", parts);
        LogRelieved(logger, summary);
        return summary;
    }

    private string PruneLogs()
    {
        var folder = Path.GetFullPath(configuration["Logs:Directory"] is { Length: > 0 } configured ? configured : "logs");
        if (!Directory.Exists(folder))
        {
            return "No rolled logs to remove.";
        }

        // Every file of a log but the live one: system.log.1, system-20261207-021500.log, tasks-20261201.log.
        string[] live = ["system.log", "telegram.log", "tasks.log"];
        var rolled = Directory.GetFiles(folder, "*.log*").Where(f => !live.Contains(Path.GetFileName(f), StringComparer.Ordinal));
        var archive = Path.Combine(folder, "archive");
        var archived = Directory.Exists(archive) ? Directory.GetFiles(archive, "*", SearchOption.AllDirectories) : [];
        var (removed, bytes) = Delete(rolled.Concat(archived));
        return string.Create(CultureInfo.InvariantCulture, $"Removed {removed} rolled or archived log file(s) ({bytes / 1024.0 / 1024.0:0.#} MB).");
    }

    private (int Removed, long Bytes) Delete(IEnumerable<string> files)
    {
        long bytes = 0;
        var removed = 0;
        foreach (var file in files)
        {
            try
            {
                var size = new FileInfo(file).Length;
                File.Delete(file);
                bytes += size;
                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogNotRemoved(logger, file, ex.Message);
            }
        }

        return (removed, bytes);
    }

    private string PruneBackups()
    {
        var folder = Path.GetFullPath(options.Value.BackupDirectory);
        if (!Directory.Exists(folder))
        {
            return "No backups to remove.";
        }

        var (removed, bytes) = Delete(Directory.GetFiles(folder, "system-*.db").OrderByDescending(f => f, StringComparer.Ordinal).Skip(1));
        return string.Create(CultureInfo.InvariantCulture, $"Removed {removed} older backup(s) ({bytes / 1024.0 / 1024.0:0.#} MB), keeping the newest.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disk relief: {Summary}")]
    private static partial void LogRelieved(ILogger logger, string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disk relief: could not remove {File}: {Reason}")]
    private static partial void LogNotRemoved(ILogger logger, string file, string reason);
}
