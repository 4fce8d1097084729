namespace Assistant.Health;

/// <summary>Section <c>Health</c>.</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>Seconds each health check (grain call, database query) may take. Default 5.</summary>
    public double TimeoutSeconds { get; set; } = 5;
}
