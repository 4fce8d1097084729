namespace Assistant.Monitoring;

/// <summary>
/// What one silo is asked to do: deactivate sessions idle for <see cref="Idle"/>, and when
/// <see cref="PruneContexts"/> cut the others' contexts to the pressure window, and when
/// <see cref="CompactHeap"/> compact the GC heap.
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.SiloCleanupRequest")]
public sealed record class SiloCleanupRequest(
    [property: Id(0)] TimeSpan Idle,
    [property: Id(1)] bool PruneContexts,
    [property: Id(2)] bool CompactHeap);

/// <summary>What a cleanup freed on one silo.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.SessionCleanup")]
public sealed record class SessionCleanup(
    [property: Id(0)] string Silo,
    [property: Id(1)] int SessionsDeactivated,
    [property: Id(2)] int MessagesPruned,
    [property: Id(3)] double MemoryBeforeMb,
    [property: Id(4)] double MemoryAfterMb,
    [property: Id(5)] bool HeapCompacted);

/// <summary>What a cleanup freed across the cluster.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.CleanupResult")]
public sealed record class CleanupResult(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Reason,
    [property: Id(2)] int SessionsDeactivated,
    [property: Id(3)] int MessagesPruned,
    [property: Id(4)] int ContextsCleared,
    [property: Id(5)] double MemoryFreedMb,
    [property: Id(6)] IReadOnlyList<SessionCleanup> Silos);
