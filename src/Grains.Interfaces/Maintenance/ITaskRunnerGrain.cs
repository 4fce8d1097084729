namespace Assistant.Maintenance;

/// <summary>
/// Runs the rows of <c>server_tasks</c> one at a time (key 0), and enqueues the scheduled
/// maintenance (weekly VACUUM and ANALYZE, daily backup). Tasks a crash left running are retried
/// or marked failed when it starts.
/// </summary>
[Alias("Assistant.Maintenance.ITaskRunnerGrain")]
public interface ITaskRunnerGrain : IGrainWithIntegerKey
{
    /// <summary>Adds a task and starts working the queue; returns the task's id.</summary>
    [Alias("Enqueue")]
    Task<long> EnqueueAsync(string type);

    [Alias("EnsureRunning")]
    Task EnsureRunningAsync();
}

/// <summary>Maintenance mode, cluster-wide (key 0): new sessions are turned away politely, existing ones go on.</summary>
[Alias("Assistant.Maintenance.IServiceModeGrain")]
public interface IServiceModeGrain : IGrainWithIntegerKey
{
    [Alias("Get")]
    Task<ServiceModeState> GetAsync();

    [Alias("Set")]
    Task<ServiceModeState> SetAsync(bool maintenance, string? message);
}

[GenerateSerializer, Immutable, Alias("Assistant.Maintenance.ServiceModeState")]
public sealed record class ServiceModeState(
    [property: Id(0)] bool Maintenance,
    [property: Id(1)] string? Message,
    [property: Id(2)] DateTimeOffset? Since);
