using Assistant.Silos;
using Assistant.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Assistant.Maintenance;

/// <summary>
/// Works the <c>server_tasks</c> queue, one task at a time, in a loop of its own so calls are
/// answered while a VACUUM runs. Normal-priority tasks go before low-priority ones, and a
/// low-priority one (VACUUM, REINDEX, backup) waits while this silo is busy
/// (<see cref="LowPriorityWindow"/>), up to <c>Maintenance:LowPriorityMaxWaitMinutes</c> after it
/// was queued, saying why in its row. On activation (first start, restart or failover) tasks left
/// running are retried or failed. Reminders enqueue the weekly VACUUM/ANALYZE, the daily backup
/// and the daily log lifecycle, which runs on every silo (each host has its own log folder).
/// </summary>
[Reentrant, KeepAlive]
internal sealed partial class TaskRunnerGrain(
    ServerTasks tasks,
    MaintenanceOperations operations,
    LowPriorityWindow window,
    ISiloAgents agents,
    IOptions<MaintenanceOptions> options,
    IReminderTable reminders,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<TaskRunnerGrain> logger) : Grain, ITaskRunnerGrain, IRemindable
{
    private const string VacuumReminder = "weekly-vacuum";
    private const string BackupReminder = "backup";
    private const string LogsReminder = "logs";

    /// <summary>How often a waiting low-priority task looks again at the CPU (the end of the replies it waits for wakes it at once).</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(5);

    private Task? _worker;
    private bool _more;
    private TaskCompletionSource _kicked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Waiting? _waiting;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (retried, failed) = await tasks.RecoverInterruptedAsync(options.Value.TaskAttempts, cancellationToken);
        if (retried + failed > 0)
        {
            LogRecovered(logger, retried, failed);
        }

        await this.EnsureAsync(reminders, VacuumReminder, TimeSpan.FromDays(options.Value.VacuumIntervalDays));
        await this.EnsureAsync(reminders, BackupReminder, TimeSpan.FromHours(options.Value.BackupIntervalHours));
        await this.EnsureAsync(reminders, LogsReminder, TimeSpan.FromDays(1));
        Kick();
    }

    public async Task<long> EnqueueAsync(string type)
    {
        var id = await tasks.EnqueueAsync(type);
        LogEnqueued(logger, id, type);
        Kick();
        return id;
    }

    public Task EnsureRunningAsync()
    {
        Kick();
        return Task.CompletedTask;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        switch (reminderName)
        {
            case VacuumReminder:
                await EnqueueAsync(MaintenanceOperations.Vacuum);
                await EnqueueAsync(MaintenanceOperations.Analyze);
                break;
            case BackupReminder:
                await EnqueueAsync(MaintenanceOperations.Backup);
                break;
            case LogsReminder:
                await EnqueueAsync(MaintenanceOperations.Logs);
                break;
        }
    }

    private void Kick()
    {
        _more = true;
        _kicked.TrySetResult();
        _worker ??= WorkAsync();
    }

    private async Task WorkAsync()
    {
        // SQLite's async calls complete synchronously: without this the loop could finish (and
        // clear _worker) before Kick stores it, leaving a finished task that blocks every later kick.
        await Task.Yield();
        try
        {
            while (_more)
            {
                _more = false;
                while (await tasks.NextPendingAsync() is { } next)
                {
                    _more = true;
                    var deadline = next.CreatedAt + TimeSpan.FromMinutes(options.Value.LowPriorityMaxWaitMinutes);
                    if (next.Priority == ServerTask.Low && time.GetUtcNow() < deadline && window.Now() is { } busy)
                    {
                        await WaitAsync(next, busy, deadline);
                        continue; // a normal task queued meanwhile goes first
                    }

                    if (await tasks.ClaimAsync(next.Id, Waited(next, deadline)) is { } task)
                    {
                        await RunAsync(task);
                    }
                }
            }
        }
        catch (Exception ex)
        {
            LogQueueFailed(logger, ex);
        }
        finally
        {
            _worker = null;
        }
    }

    /// <summary>Notes why <paramref name="task"/> waits (when that changes), then waits for a change, a new task, or the deadline.</summary>
    private async Task WaitAsync(ServerTask task, LowPriorityWindow.Busy busy, DateTimeOffset deadline)
    {
        var before = _waiting?.TaskId == task.Id ? _waiting : null;
        var waiting = new Waiting(task.Id, before?.Since ?? time.GetUtcNow(), busy);
        if (before?.Busy.Kind != busy.Kind)
        {
            var note = $"waiting since {waiting.Since:yyyy-MM-dd HH:mm:ss} UTC: {busy.Why}; runs by {deadline:yyyy-MM-dd HH:mm:ss} UTC at the latest";
            LogDeferred(logger, task.Id, task.Type, note);
            try
            {
                await tasks.NoteDeferredAsync(task.Id, note);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException)
            {
                LogNoteFailed(logger, ex, task.Id); // /tasks lacks the note; the waiting goes on
            }
        }

        _waiting = waiting; // after the note: if writing it throws, the next pass notes it again

        _kicked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var untilDeadline = deadline - time.GetUtcNow(); // may have passed while the note was written
        var wait = TimeSpan.FromTicks(Math.Clamp(untilDeadline.Ticks, 0, Recheck.Ticks));
        await Task.WhenAny(window.ChangeAsync(busy, wait), _kicked.Task);
    }

    /// <summary>What the task's wait was, for its row once it runs; null when it did not wait.</summary>
    private string? Waited(ServerTask task, DateTimeOffset deadline)
    {
        if (_waiting is not { } waiting || waiting.TaskId != task.Id)
        {
            return null;
        }

        _waiting = null;
        var now = time.GetUtcNow();
        var waited = $"{(now - waiting.Since).TotalSeconds:0} s";
        return now >= deadline
            ? $"waited {waited} ({waiting.Busy.Why}), then ran at its deadline (Maintenance:LowPriorityMaxWaitMinutes)"
            : $"waited {waited} ({waiting.Busy.Why})";
    }

    private async Task RunAsync(ServerTask task)
    {
        LogRunning(logger, task.Id, task.Type, task.Attempts, task.Deferred is null ? "" : $", after it {task.Deferred}");
        try
        {
            var result = task.Type == MaintenanceOperations.Logs ? await LogsOnEverySiloAsync() : await operations.RunAsync(task.Type);
            await tasks.CompleteAsync(task.Id, MaintenanceOperations.ToJson(result));
            LogCompleted(logger, task.Id, task.Type, result.Summary);
        }
        catch (Exception ex)
        {
            await tasks.FailAsync(task.Id, ex.Message);
            LogFailed(logger, ex, task.Id, task.Type);
        }
    }

    /// <summary>
    /// The log lifecycle on each silo in turn (silos on one host share a folder: the second finds
    /// it done), one report per folder. A silo that does not answer is named in the result.
    /// </summary>
    private async Task<MaintenanceResult> LogsOnEverySiloAsync()
    {
        var reports = new Dictionary<string, LogLifecycleReport>();
        foreach (var silo in await agents.ActiveSilosAsync())
        {
            LogLifecycleReport report;
            try
            {
                report = await agents.On(silo.Address).RunLogLifecycleAsync().WaitAsync(TimeSpan.FromMinutes(5));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                report = new LogLifecycleReport(silo.Name, [], [], [], [], 0, [$"silo {silo.Name} did not answer: {ex.Message}"]);
            }

            reports[report.Folder] = reports.TryGetValue(report.Folder, out var earlier) ? Merge(earlier, report) : report;
        }

        return MaintenanceOperations.Describe([.. reports.Values]);
    }

    private static LogLifecycleReport Merge(LogLifecycleReport a, LogLifecycleReport b) =>
        new(a.Folder, [.. a.Rotated, .. b.Rotated], [.. a.Compressed, .. b.Compressed], [.. a.Moved, .. b.Moved], [.. a.Deleted, .. b.Deleted], a.BytesSaved + b.BytesSaved, [.. a.Problems, .. b.Problems]);

    [LoggerMessage(Level = LogLevel.Warning, Message = "🚀 Task runner started: {Retried} interrupted tasks retried, {Failed} marked failed")]
    private static partial void LogRecovered(ILogger logger, int retried, int failed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Id} ({Type}) queued")]
    private static partial void LogEnqueued(ILogger logger, long id, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Id} ({Type}) running, attempt {Attempt}{Deferred}")]
    private static partial void LogRunning(ILogger logger, long id, string type, int attempt, string deferred);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {Id}: why it waits could not be stored for /tasks")]
    private static partial void LogNoteFailed(ILogger logger, Exception exception, long id);

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Task {Id} ({Type}, low priority) {Note}")]
    private static partial void LogDeferred(ILogger logger, long id, string type, string note);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Id} ({Type}) completed: {Summary}")]
    private static partial void LogCompleted(ILogger logger, long id, string type, string summary);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {Id} ({Type}) failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, long id, string type);

    [LoggerMessage(Level = LogLevel.Error, Message = "The task queue could not be read; it is tried again at the next kick")]
    private static partial void LogQueueFailed(ILogger logger, Exception exception);

    /// <summary>The low-priority task waiting now: since when, and for what.</summary>
    private sealed record Waiting(long TaskId, DateTimeOffset Since, LowPriorityWindow.Busy Busy);
}
