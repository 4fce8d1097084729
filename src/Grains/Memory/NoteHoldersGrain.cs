using Assistant.Storage;
using Orleans.Serialization;

namespace Assistant.Memory;

/// <summary>The cluster's set of owners with notes (<see cref="INoteHoldersGrain"/>), stored as one row.</summary>
[GrainType("note-holders")]
internal sealed class NoteHoldersGrain(
    [PersistentState("note-holders")] IPersistentState<NoteHoldersState> stored,
    DeepCopier<NoteHoldersState> copier) : Grain, INoteHoldersGrain
{
    private readonly DurableState<NoteHoldersState> _state = new(stored, copier);
    private NoteHolders? _read;

    public Task<NoteHolders?> ReadAsync(long knownVersion)
    {
        var state = _state.Value;
        if (state.Version == knownVersion)
        {
            return Task.FromResult<NoteHolders?>(null);
        }

        if (_read?.Version != state.Version)
        {
            _read = new NoteHolders(state.Version, [.. state.Owners]);
        }

        return Task.FromResult<NoteHolders?>(_read);
    }

    public async Task SetAsync(string owner, bool holds) =>
        await _state.UpdateAsync(s =>
        {
            if (!(holds ? s.Owners.Add(owner) : s.Owners.Remove(owner)))
            {
                return false; // already so: nothing to store
            }

            s.Version++;
            return true;
        });
}

[GenerateSerializer, Alias("Assistant.Memory.NoteHoldersState")]
public sealed class NoteHoldersState
{
    [Id(0)]
    public HashSet<string> Owners { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public long Version { get; set; }
}
