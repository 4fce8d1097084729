using Assistant.Silos;
using Assistant.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Assistant.Maintenance;

/// <summary>
/// Works the <c>server_tasks</c> queue, one task at a time, in a loop of its own so calls are
/// answered while a VACUUM runs. On activation (first start, restart or failover) tasks left
/// running are retried or failed. Reminders enqueue the weekly VACUUM/ANALYZE and the daily backup.
/// </summary>
[Reentrant, KeepAlive]
internal sealed partial class TaskRunnerGrain(
    ServerTasks tasks,
    MaintenanceOperations operations,
    IOptions<MaintenanceOptions> options,
    IReminderTable reminders,
    ILogger<TaskRunnerGrain> logger) : Grain, ITaskRunnerGrain, IRemindable
{
    private const string VacuumReminder = "weekly-vacuum";
    private const string BackupReminder = "backup";
    private Task? _worker;
    private bool _more;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (retried, failed) = await tasks.RecoverInterruptedAsync(options.Value.TaskAttempts, cancellationToken);
        if (retried + failed > 0)
        {
            LogRecovered(logger, retried, failed);
        }

        await this.EnsureAsync(reminders, VacuumReminder, TimeSpan.FromDays(options.Value.VacuumIntervalDays));
        await this.EnsureAsync(reminders, BackupReminder, TimeSpan.FromHours(options.Value.BackupIntervalHours));
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
        }
    }

    private void Kick()
    {
        _more = true;
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
                while (await tasks.ClaimNextAsync() is { } task)
                {
                    _more = true;
                    await RunAsync(task);
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

    private async Task RunAsync(ServerTask task)
    {
        LogRunning(logger, task.Id, task.Type, task.Attempts);
        try
        {
            var result = await operations.RunAsync(task.Type);
            await tasks.CompleteAsync(task.Id, MaintenanceOperations.ToJson(result));
            LogCompleted(logger, task.Id, task.Type, result.Summary);
        }
        catch (Exception ex)
        {
            await tasks.FailAsync(task.Id, ex.Message);
            LogFailed(logger, ex, task.Id, task.Type);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "🚀 Task runner started: {Retried} interrupted tasks retried, {Failed} marked failed")]
    private static partial void LogRecovered(ILogger logger, int retried, int failed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Id} ({Type}) queued")]
    private static partial void LogEnqueued(ILogger logger, long id, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Id} ({Type}) running, attempt {Attempt}")]
    private static partial void LogRunning(ILogger logger, long id, string type, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Id} ({Type}) completed: {Summary}")]
    private static partial void LogCompleted(ILogger logger, long id, string type, string summary);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {Id} ({Type}) failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, long id, string type);

    [LoggerMessage(Level = LogLevel.Error, Message = "The task queue could not be read; it is tried again at the next kick")]
    private static partial void LogQueueFailed(ILogger logger, Exception exception);
}
