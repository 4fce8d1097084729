using Assistant.Metrics;
using Assistant.Sessions;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;

namespace Assistant.Memory;

/// <summary>
/// One owner's notes, at most <c>Sessions:MaxNotes</c> of at most <c>Sessions:MaxNoteChars</c> each.
/// The owner is in the cluster's set of owners with notes (<see cref="INoteHoldersGrain"/>) before a
/// first note is stored, and taken out once the last is gone.
/// </summary>
[GrainType("notes")]
internal sealed class NotesGrain(
    [PersistentState(NoteHoldersGrain.NotesStateName)] IPersistentState<NotesState> stored,
    DeepCopier<NotesState> copier,
    IOptions<ChatSessionOptions> options,
    MemoryMetrics metrics,
    [FromKeyedServices(Clock.Key)] TimeProvider time) : Grain, INotesGrain
{
    private readonly DurableState<NotesState> _state = new(stored, copier);

    private INoteHoldersGrain Holders => GrainFactory.GetGrain<INoteHoldersGrain>(0);

    private string Owner => this.GetPrimaryKeyString();


    public Task<IReadOnlyList<string>> ListAsync() =>
        Task.FromResult<IReadOnlyList<string>>([.. _state.Value.Notes.Select(n => n.Text)]);

    public async Task<string> RememberAsync(string text)
    {
        text = text.Trim();
        var limits = options.Value;
        var notes = _state.Value.Notes;
        string? refusal =
            text.Length == 0 ? "Nothing was kept: the note was empty."
            : text.Length > limits.MaxNoteChars ? $"Not kept: a note may have at most {limits.MaxNoteChars} characters. Keep a shorter one."
            : notes.Any(n => string.Equals(n.Text, text, StringComparison.OrdinalIgnoreCase)) ? "Already kept."
            : notes.Count >= limits.MaxNotes ? $"Not kept: this user has {limits.MaxNotes} notes, the most there may be. They can drop some with /memory clear, or ask you to forget one."
            : null;
        if (refusal is not null)
        {
            metrics.Note("refused");
            return refusal;
        }

        if (notes.Count == 0)
        {
            await Holders.SetAsync(Owner, true); // first, so no silo's copy of the set leaves out an owner with notes
        }

        await _state.UpdateAsync(s => s.Notes.Add(new KeptNote(text, time.GetUtcNow())));
        metrics.Note("remembered");
        return "Kept.";
    }

    public async Task<int> ForgetAsync(string text)
    {
        text = text.Trim();
        var removed = 0;
        if (text.Length > 0)
        {
            await _state.UpdateAsync(s => (removed = s.Notes.RemoveAll(n => n.Text.Contains(text, StringComparison.OrdinalIgnoreCase))) > 0);
        }

        if (removed > 0 && _state.Value.Notes.Count == 0)
        {
            await Holders.SetAsync(Owner, false);
        }

        metrics.Note("forgotten", removed);
        return removed;
    }

    public async Task<int> ClearAsync()
    {
        var removed = _state.Value.Notes.Count;
        if (removed > 0)
        {
            await _state.UpdateAsync(s => s.Notes.Clear());
            metrics.Note("cleared", removed);
        }

        if (removed > 0)
        {
            await Holders.SetAsync(Owner, false);
        }
        else
        {
            // Nothing to clear: a repeated erasure still takes out an owner an earlier one could not, as far as the set is reachable.
            try
            {
                await Holders.SetAsync(Owner, false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Left named: an owner named without notes costs a read of their notes per silo now and then, no more.
            }
        }
        return removed;
    }
}
