namespace Assistant.Sessions;

/// <summary>The sessions active on one silo, summarised there so that only totals cross the wire.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Sessions.SiloSessionReport")]
public sealed record class SiloSessionReport(
    [property: Id(0)] string Silo,
    [property: Id(1)] int ActiveSessions,
    [property: Id(2)] long EstimatedBytes,
    [property: Id(3)] IReadOnlyList<SessionMemory> Largest,
    [property: Id(4)] IReadOnlyDictionary<long, long> ResponseTimeBuckets,
    [property: Id(5)] long Replies,
    [property: Id(6)] IReadOnlyDictionary<string, long> ErrorsByType,
    [property: Id(7)] IReadOnlyDictionary<string, long> ToolCalls,
    [property: Id(8)] IReadOnlyDictionary<string, long> DurationBuckets,
    [property: Id(9)] IReadOnlyDictionary<string, long>? MessagesByKind = null);

/// <summary>The memory estimate of one session: its strings and objects, not a measurement.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Sessions.SessionMemory")]
public sealed record class SessionMemory(
    [property: Id(0)] string SessionId,
    [property: Id(1)] long EstimatedBytes,
    [property: Id(2)] int Messages);
