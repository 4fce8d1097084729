namespace Assistant.Monitoring;

/// <summary>One silo's resources at one moment, as its sampler measured them.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.ResourceSnapshot")]
public sealed record class ResourceSnapshot(
    [property: Id(0)] string Silo,
    [property: Id(1)] DateTimeOffset Timestamp,
    [property: Id(2)] double MemoryMb,
    [property: Id(3)] double CpuPercent,
    [property: Id(4)] int ActiveSessions,
    [property: Id(5)] int TotalProcesses,
    [property: Id(6)] double DiskUsagePercent,
    [property: Id(7)] NetworkIo NetworkIoBytes,
    [property: Id(8)] double MemoryUtilizationPercent);

/// <summary>Bytes sent and received on the host's network interfaces (loopback excluded) since boot.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.NetworkIo")]
public sealed record class NetworkIo([property: Id(0)] long Sent, [property: Id(1)] long Received);
