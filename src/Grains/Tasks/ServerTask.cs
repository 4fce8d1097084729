namespace Assistant.Tasks;

/// <summary>
/// One row of <c>server_tasks</c>, with its <see cref="Deferred"/> note from
/// <c>server_task_deferrals</c>: why a low-priority task waits now, or how long it waited once it ran.
/// </summary>
public sealed record ServerTask(
    long Id,
    string Type,
    string Status,
    string? Payload,
    string? Result,
    string? Error,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? ProcessedAt,
    string? Deferred = null)
{
    public const string Normal = "normal";
    public const string Low = "low";

    /// <summary><c>low</c> for VACUUM, REINDEX and backups, which run after the rest and wait for a quiet silo; otherwise <c>normal</c>.</summary>
    public string Priority => Maintenance.MaintenanceOperations.PriorityOf(Type);

    public const string Pending = "pending";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";

    public static readonly string[] Statuses = [Pending, Running, Completed, Failed];

    public bool Finished => Status is Completed or Failed;
}
