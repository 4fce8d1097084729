using System.Reflection;
using Assistant.Memory;
using Assistant.Sessions;
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

    private NotesCache Cache(Func<string, INotesGrain> notes)
    {
        var grains = DispatchProxy.Create<IGrainFactory, NotesGrains>();
        ((NotesGrains)(object)grains).Notes = notes;
        return new NotesCache(grains, Options.Create(new ChatSessionOptions { NotesCacheSeconds = 30 }), _time);
    }

    /// <summary>A grain factory that hands out notes grains only.</summary>
    public class NotesGrains : DispatchProxy
    {
        public Func<string, INotesGrain> Notes { get; set; } = null!;

        protected override object? Invoke(MethodInfo? method, object?[]? args) =>
            method is { Name: "GetGrain", IsGenericMethod: true } && method.GetGenericArguments()[0] == typeof(INotesGrain) && args?[0] is string key
                ? Notes(key)
                : throw new NotSupportedException(method?.Name);
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
