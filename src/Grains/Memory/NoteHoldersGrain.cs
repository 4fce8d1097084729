using Assistant.Storage;
using Orleans.Serialization;

namespace Assistant.Memory;

/// <summary>
/// The cluster's set of owners with notes (<see cref="INoteHoldersGrain"/>), stored as one row. Its
/// first activation reads every stored notes row once and adds the owners that have notes, so notes
/// kept before the set existed are sent again; a notes grain that adds its owner meanwhile waits for it.
/// </summary>
[GrainType("note-holders")]
internal sealed class NoteHoldersGrain(
    [PersistentState("note-holders")] IPersistentState<NoteHoldersState> stored,
    DeepCopier<NoteHoldersState> copier,
    GrainStateStore? store = null) : Grain, INoteHoldersGrain
{
    public const string NotesStateName = "notes";

    private readonly DurableState<NoteHoldersState> _state = new(stored, copier);
    private NoteHolders? _read;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_state.Value.Scanned || store is null)
        {
            return;
        }

        var owners = new List<string>();
        await foreach (var (owner, notes) in store.ReadAllAsync<NotesState>(NotesStateName))
        {
            if (notes is null || notes.Notes.Count > 0)
            {
                owners.Add(owner); // one that cannot be read here is named: that costs a read, and its grain says what it holds
            }
        }

        await _state.UpdateAsync(s =>
        {
            s.Owners.UnionWith(owners);
            s.Scanned = true;
            s.Version++;
            return true;
        });
    }

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

    /// <summary>Whether the stored notes were read once to find the owners kept before this set existed.</summary>
    [Id(2)]
    public bool Scanned { get; set; }
}
