using System.Collections.Concurrent;
using Assistant.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Memory;

/// <summary>
/// The notes this silo's turns read (<see cref="INotesGrain"/> stays where they are kept), so a turn
/// does not call the notes grain every time: a copy is used for <c>Sessions:NotesCacheSeconds</c> (30),
/// and every change made through this silo (the tools, <c>/memory clear</c>, an erasure) drops it at
/// once. A change made on another silo reaches this one's requests within that time. At most
/// <see cref="MaxEntries"/> owners are held. Someone the silo's copy of the set of owners with notes
/// does not name (<see cref="NoteHoldersCopy"/>) has none, without a read.
/// </summary>
internal sealed class NotesCache(IGrainFactory grains, NoteHoldersCopy holders, IOptions<ChatSessionOptions> sessions, [FromKeyedServices(Clock.Key)] TimeProvider time)
{
    private static readonly Task<IReadOnlyList<string>> None = Task.FromResult<IReadOnlyList<string>>([]);

    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (Task<IReadOnlyList<string>> Notes, long At)> _entries = new();
    private readonly TimeSpan _fresh = TimeSpan.FromSeconds(sessions.Value.NotesCacheSeconds);
    private long _changes;

    public int Count => _entries.Count;

    /// <summary>
    /// The owner's notes: the copy while it is fresh (a read still under way counts, so a turn
    /// awaits the read its message's arrival started, <see cref="Warm"/>), else a read from the grain.
    /// </summary>
    /// <param name="fresh">Read from the grain, not a copy (<c>/memory</c>, an export: what the user is shown is what is kept).</param>
    public Task<IReadOnlyList<string>> ListAsync(string owner, bool fresh = false)
    {
        if (!fresh && _entries.TryGetValue(owner, out var kept) && !kept.Notes.IsFaulted && !kept.Notes.IsCanceled && time.GetElapsedTime(kept.At) < _fresh)
        {
            return kept.Notes;
        }

        if (!fresh && holders.HasNone(owner))
        {
            return None;
        }

        var changes = Interlocked.Read(ref _changes);
        var read = grains.GetGrain<INotesGrain>(owner).ListAsync();
        if (_fresh > TimeSpan.Zero)
        {
            var entry = (read, time.GetTimestamp());
            Keep(owner, entry);
            _ = read.ContinueWith(
                done =>
                {
                    _ = done.Exception; // observed: a turn reading it sees the failure again by reading afresh
                    if (!done.IsCompletedSuccessfully || Interlocked.Read(ref _changes) != changes)
                    {
                        _entries.TryRemove(KeyValuePair.Create(owner, entry)); // failed, or a change made meanwhile may not be in it
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return read;
    }

    /// <summary>Starts reading the owner's notes, when no fresh copy is held, for a turn about to start.</summary>
    public void Warm(string owner) => _ = ListAsync(owner);

    public async Task<string> RememberAsync(string owner, string text)
    {
        try
        {
            return await ChangeAsync(owner, g => g.RememberAsync(text));
        }
        finally
        {
            holders.NoteKept();
        }
    }

    public Task<int> ForgetAsync(string owner, string text) => ChangeAsync(owner, g => g.ForgetAsync(text));

    public Task<int> ClearAsync(string owner) => ChangeAsync(owner, g => g.ClearAsync());

    private async Task<T> ChangeAsync<T>(string owner, Func<INotesGrain, Task<T>> change)
    {
        try
        {
            return await change(grains.GetGrain<INotesGrain>(owner));
        }
        finally
        {
            Interlocked.Increment(ref _changes);
            _entries.TryRemove(owner, out _);
        }
    }

    private void Keep(string owner, (Task<IReadOnlyList<string>> Notes, long At) entry)
    {
        if (_entries.Count >= MaxEntries)
        {
            foreach (var (key, held) in _entries)
            {
                if (time.GetElapsedTime(held.At) >= _fresh)
                {
                    _entries.TryRemove(key, out _);
                }
            }

            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear(); // all fresh: start over rather than grow
            }
        }

        _entries[owner] = entry;
    }
}
