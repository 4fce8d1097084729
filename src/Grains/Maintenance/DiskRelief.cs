using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Maintenance;

/// <summary>
/// What the autopilot does about a full disk instead of restarting (a restart frees no disk):
/// deletes all but the newest backup in <c>Maintenance:BackupDirectory</c>, deletes finished
/// background tasks past their retention, and on SQLite folds the WAL back into the database.
/// Says what it freed, for the alert and the log.
/// </summary>
public sealed partial class DiskRelief(MaintenanceOperations operations, IOptions<MaintenanceOptions> options, ILogger<DiskRelief> logger)
{
    public async Task<string> RelieveAsync(CancellationToken cancellationToken = default)
    {
        var parts = new List<string> { PruneBackups() };
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

    private string PruneBackups()
    {
        var folder = Path.GetFullPath(options.Value.BackupDirectory);
        if (!Directory.Exists(folder))
        {
            return "No backups to remove.";
        }

        long bytes = 0;
        var removed = 0;
        foreach (var old in Directory.GetFiles(folder, "system-*.db").OrderByDescending(f => f, StringComparer.Ordinal).Skip(1))
        {
            try
            {
                var size = new FileInfo(old).Length;
                File.Delete(old);
                bytes += size;
                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogNotRemoved(logger, old, ex.Message);
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"Removed {removed} older backup(s) ({bytes / 1024.0 / 1024.0:0.#} MB), keeping the newest.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disk relief: {Summary}")]
    private static partial void LogRelieved(ILogger logger, string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disk relief: could not remove {File}: {Reason}")]
    private static partial void LogNotRemoved(ILogger logger, string file, string reason);
}
