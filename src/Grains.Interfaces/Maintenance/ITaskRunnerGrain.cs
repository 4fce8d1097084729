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

/// <summary>
/// Who may start a session, cluster-wide (key 0): maintenance mode turns new sessions away politely,
/// and so does the session cap once that many are active; existing ones go on.
/// </summary>
[Alias("Assistant.Maintenance.IServiceModeGrain")]
public interface IServiceModeGrain : IGrainWithIntegerKey
{
    [Alias("Get")]
    Task<ServiceModeState> GetAsync();

    [Alias("Set")]
    Task<ServiceModeState> SetAsync(bool maintenance, string? message);

    /// <summary>Sets the cap on active sessions (0: none), in place of <c>Sessions:MaxActive</c> until set again; null goes back to the setting.</summary>
    [Alias("SetSessionLimit")]
    Task<ServiceModeState> SetSessionLimitAsync(int? maxActive);
}

/// <param name="SessionLimit">The cap an admin set at run time (0: none), or null for <c>Sessions:MaxActive</c>.</param>
[GenerateSerializer, Immutable, Alias("Assistant.Maintenance.ServiceModeState")]
public sealed record class ServiceModeState(
    [property: Id(0)] bool Maintenance,
    [property: Id(1)] string? Message,
    [property: Id(2)] DateTimeOffset? Since,
    [property: Id(3)] int? SessionLimit = null);
