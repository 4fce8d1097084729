namespace Assistant.Silos;

/// <summary>How callers inside the service retry a grain call whose silo just died. Section <c>Cluster:Retry</c>.</summary>
public sealed class ClusterRetryOptions
{
    public const string Section = "Cluster:Retry";

    /// <summary>Retries after the first attempt. Default 6.</summary>
    public int Attempts { get; set; } = 6;

    /// <summary>First delay in milliseconds, doubling each retry (0.25, 0.5, 1, 2, 4, 4 s: about 12 s, enough for a dead silo to be declared dead). Default 250.</summary>
    public int DelayMs { get; set; } = 250;

    /// <summary>Longest single delay in milliseconds. Default 4000.</summary>
    public int MaxDelayMs { get; set; } = 4000;
}
