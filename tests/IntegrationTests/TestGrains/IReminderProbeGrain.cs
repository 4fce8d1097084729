using System.Collections.Concurrent;

namespace Assistant.IntegrationTests.TestGrains;

/// <summary>Registers a reminder and reports each tick to <see cref="ReminderTicks"/>.</summary>
public interface IReminderProbeGrain : IGrainWithStringKey
{
    Task StartAsync(TimeSpan period);

    Task<bool> IsRegisteredAsync();
}

public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    public const string ReminderName = "probe";

    public async Task StartAsync(TimeSpan period) => await this.RegisterOrUpdateReminder(ReminderName, period, period);

    public async Task<bool> IsRegisteredAsync() => await this.GetReminder(ReminderName) is not null;

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ReminderTicks.Signal(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }
}

/// <summary>Tick signals shared between the probe grains and the test that awaits them.</summary>
public static class ReminderTicks
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Next = new();

    /// <summary>A task that completes at the next tick of the probe with this key.</summary>
    public static Task NextTick(string key) =>
        Next.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public static void Signal(string key)
    {
        if (Next.TryRemove(key, out var waiter))
        {
            waiter.TrySetResult();
        }
    }
}
