using Assistant.Metrics;
using Assistant.Sessions;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;

namespace Assistant.Memory;

/// <summary>One owner's notes, at most <c>Sessions:MaxNotes</c> of at most <c>Sessions:MaxNoteChars</c> each.</summary>
[GrainType("notes")]
internal sealed class NotesGrain(
    [PersistentState("notes")] IPersistentState<NotesState> stored,
    DeepCopier<NotesState> copier,
    IOptions<ChatSessionOptions> options,
    MemoryMetrics metrics,
    [FromKeyedServices(Clock.Key)] TimeProvider time) : Grain, INotesGrain
{
    private readonly DurableState<NotesState> _state = new(stored, copier);

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

        return removed;
    }
}
