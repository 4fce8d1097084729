using System.Reflection;
using Assistant.Memory;
using Assistant.Sessions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Assistant.UnitTests.Memory;

public sealed class NotesCacheTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_copy_is_used_until_it_is_older_than_the_setting_and_a_change_through_the_silo_drops_it_at_once()
    {
        var ann = new CountingNotes(["likes tea"]);
        var cache = Cache(_ => ann);

        Assert.Equal(["likes tea"], await cache.ListAsync("tg-user:1"));
        ann.Notes = ["likes tea", "lives in Oslo"]; // changed on another silo
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(["likes tea"], await cache.ListAsync("tg-user:1")); // the copy
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(["likes tea", "lives in Oslo"], await cache.ListAsync("tg-user:1")); // read again

        Assert.Equal(1, await cache.ForgetAsync("tg-user:1", "tea"));
        Assert.Equal(["lives in Oslo"], await cache.ListAsync("tg-user:1")); // the change through this silo dropped the copy
        Assert.Equal(3, ann.Reads);
        Assert.Equal(["lives in Oslo"], await cache.ListAsync("tg-user:1", fresh: true));
        Assert.Equal(4, ann.Reads);
    }

    [Fact]
    public async Task Distinct_owners_past_the_bound_leave_the_map_bounded()
    {
        var none = new CountingNotes([]);
        var cache = Cache(_ => none);

        for (var i = 0; i < NotesCache.MaxEntries * 3; i++)
        {
            await cache.ListAsync($"tg-user:{i}");
        }

        Assert.InRange(cache.Count, 1, NotesCache.MaxEntries);
    }

    [Fact]
    public async Task Someone_the_trusted_copy_of_the_holders_does_not_name_has_no_notes_without_a_read()
    {
        var ann = new CountingNotes(["likes tea"]);
        var bob = new CountingNotes([]);
        var holders = new Holders("tg-user:1");
        var cache = Cache(owner => owner == "tg-user:1" ? ann : bob, holders);

        Assert.Empty(await cache.ListAsync("tg-user:2")); // no copy of the set yet: read, and the set's read starts
        Assert.Equal(1, bob.Reads);
        await _holdersCopy!.Reading;
        Assert.Equal(1, holders.Reads);

        Assert.Empty(await cache.ListAsync("tg-user:3"));
        Assert.Equal(1, bob.Reads); // not named: no read
        Assert.Equal(["likes tea"], await cache.ListAsync("tg-user:1")); // named: read
        Assert.Equal(1, ann.Reads);

        _time.Advance(TimeSpan.FromSeconds(31)); // the copy is as old as a copy of notes may be
        holders.Owners = ["tg-user:1", "tg-user:3"]; // tg-user:3 kept a note through another silo
        bob.Notes = ["lives in Oslo"];
        Assert.Equal(["lives in Oslo"], await cache.ListAsync("tg-user:3")); // read, since the copy is old
        await _holdersCopy.Reading;
        Assert.Equal(2, holders.Reads);
        Assert.Equal(["lives in Oslo"], await cache.ListAsync("tg-user:3"));
    }

    [Fact]
    public async Task A_note_kept_through_this_silo_stops_trusting_the_copy_until_it_is_read_again()
    {
        var notes = new CountingNotes([]);
        var holders = new Holders();
        var cache = Cache(_ => notes, holders);
        await cache.ListAsync("tg-user:1");
        await _holdersCopy!.Reading;
        await cache.ListAsync("tg-user:2");
        Assert.Equal(1, notes.Reads); // the copy, trusted, names nobody

        holders.Owners = ["tg-user:2"]; // the notes grain adds its owner before it keeps the note
        await cache.RememberAsync("tg-user:2", "likes tea");
        notes.Notes = ["likes tea"];
        Assert.Equal(["likes tea"], await cache.ListAsync("tg-user:2")); // read, though the copy is fresh
        Assert.Equal(2, notes.Reads);
        await _holdersCopy.Reading;
        Assert.Empty(await cache.ListAsync("tg-user:4"));
        Assert.Equal(2, notes.Reads); // read again, the copy is trusted once more
    }

    [Fact]
    public async Task While_the_set_cannot_be_read_every_owner_is_read()
    {
        var notes = new CountingNotes([]);
        var holders = new Holders { Fails = true };
        var cache = Cache(_ => notes, holders);
        for (var i = 0; i < 3; i++)
        {
            await cache.ListAsync($"tg-user:{i}");
            await _holdersCopy!.Reading;
        }

        Assert.Equal(3, notes.Reads);
        Assert.Equal(3, holders.Reads);
    }

    private NoteHoldersCopy? _holdersCopy;

    private NotesCache Cache(Func<string, INotesGrain> notes, Holders? holders = null)
    {
        var grains = DispatchProxy.Create<IGrainFactory, NotesGrains>();
        ((NotesGrains)(object)grains).Notes = notes;
        ((NotesGrains)(object)grains).Holders = holders ?? new Holders { Fails = true };
        var options = Options.Create(new ChatSessionOptions { NotesCacheSeconds = 30 });
        _holdersCopy = new NoteHoldersCopy(grains, options, _time, NullLogger<NoteHoldersCopy>.Instance);
        return new NotesCache(grains, _holdersCopy, options, _time);
    }

    /// <summary>A grain factory that hands out notes grains and the set of holders only.</summary>
    public class NotesGrains : DispatchProxy
    {
        public Func<string, INotesGrain> Notes { get; set; } = null!;

        public INoteHoldersGrain Holders { get; set; } = null!;

        protected override object? Invoke(MethodInfo? method, object?[]? args) =>
            method is { Name: "GetGrain", IsGenericMethod: true } && method.GetGenericArguments()[0] == typeof(INotesGrain) && args?[0] is string key ? Notes(key)
            : method is { Name: "GetGrain", IsGenericMethod: true } && method.GetGenericArguments()[0] == typeof(INoteHoldersGrain) ? Holders
            : throw new NotSupportedException(method?.Name);
    }

    private sealed class Holders(params string[] owners) : INoteHoldersGrain
    {
        public IReadOnlyList<string> Owners { get; set; } = owners;

        public bool Fails { get; set; }

        public int Reads { get; private set; }

        public Task<NoteHolders?> ReadAsync(long knownVersion)
        {
            Reads++;
            return Fails ? Task.FromException<NoteHolders?>(new TimeoutException("storage down")) : Task.FromResult<NoteHolders?>(new NoteHolders(Reads, Owners));
        }

        public Task SetAsync(string owner, bool holds) => throw new NotSupportedException();
    }

    private sealed class CountingNotes(IReadOnlyList<string> notes) : INotesGrain
    {
        public IReadOnlyList<string> Notes { get; set; } = notes;

        public int Reads { get; private set; }

        public Task<IReadOnlyList<string>> ListAsync()
        {
            Reads++;
            return Task.FromResult(Notes);
        }

        public Task<string> RememberAsync(string text) => Task.FromResult("Kept.");

        public Task<int> ForgetAsync(string text)
        {
            var before = Notes.Count;
            Notes = [.. Notes.Where(n => !n.Contains(text, StringComparison.OrdinalIgnoreCase))];
            return Task.FromResult(before - Notes.Count);
        }

        public Task<int> ClearAsync() => Task.FromResult(0);
    }
}
