namespace Assistant.Maintenance;

/// <summary>
/// What one run of the log lifecycle did in one log folder: the files it rotated, compressed into
/// <c>archive/</c>, moved to cold storage and deleted from it (file names), and the bytes compression saved.
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Maintenance.LogLifecycleReport")]
public sealed record class LogLifecycleReport(
    [property: Id(0)] string Folder,
    [property: Id(1)] IReadOnlyList<string> Rotated,
    [property: Id(2)] IReadOnlyList<string> Compressed,
    [property: Id(3)] IReadOnlyList<string> Moved,
    [property: Id(4)] IReadOnlyList<string> Deleted,
    [property: Id(5)] long BytesSaved,
    [property: Id(6)] IReadOnlyList<string> Problems)
{
    public string Summary =>
        $"{Folder}: rotated {Rotated.Count}, compressed {Compressed.Count} ({BytesSaved / 1024.0 / 1024.0:0.##} MB saved), moved {Moved.Count} to cold storage, deleted {Deleted.Count}"
        + (Problems.Count > 0 ? $"; {Problems.Count} problem(s): {string.Join("; ", Problems)}" : string.Empty);
}
