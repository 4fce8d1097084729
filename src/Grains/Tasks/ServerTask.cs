namespace Assistant.Tasks;

/// <summary>One row of <c>server_tasks</c>.</summary>
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
    DateTimeOffset? ProcessedAt)
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";

    public static readonly string[] Statuses = [Pending, Running, Completed, Failed];

    public bool Finished => Status is Completed or Failed;
}
