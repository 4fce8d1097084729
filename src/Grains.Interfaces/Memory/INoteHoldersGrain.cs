namespace Assistant.Memory;

/// <summary>
/// Which owners (<see cref="NoteOwner"/>) have at least one note: one per cluster (key 0). Each
/// silo keeps a copy, so a turn for someone with no notes does not activate their notes grain to
/// learn that. A notes grain adds its owner before it stores a first note and takes it out after
/// its last one went, so the set may name an owner with no notes (which costs a read) but never
/// leaves out one with notes.
/// </summary>
[Alias("Assistant.Memory.INoteHoldersGrain")]
public interface INoteHoldersGrain : IGrainWithIntegerKey
{
    /// <summary>The set, or null when it is still at <paramref name="knownVersion"/>.</summary>
    [Alias("Read")]
    Task<NoteHolders?> ReadAsync(long knownVersion);

    /// <summary>Adds <paramref name="owner"/> to the set, or takes them out.</summary>
    [Alias("Set")]
    Task SetAsync(string owner, bool holds);
}

/// <summary>The owners with notes, at one version of the set.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Memory.NoteHolders")]
public sealed record class NoteHolders([property: Id(0)] long Version, [property: Id(1)] IReadOnlyList<string> Owners);
