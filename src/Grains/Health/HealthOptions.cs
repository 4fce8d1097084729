namespace Assistant.Health;

/// <summary>Section <c>Health</c>.</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>Seconds each health check (grain call, database query) may take. Default 5.</summary>
    public double TimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Seconds a <c>GET /health</c> result is reused, so a flood of probes costs one check per
    /// interval. 0 runs the checks for every request (concurrent requests still share one). Default 1.
    /// </summary>
    public double CacheSeconds { get; set; } = 1;
}
