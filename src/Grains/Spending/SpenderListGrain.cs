using Assistant.Storage;
using Orleans.Concurrency;
using Orleans.Serialization;

namespace Assistant.Spending;

/// <summary>
/// The spenders of the last two months (<see cref="ISpenderListGrain"/>), stored as one row. Reentrant,
/// with its writes shared (<see cref="SharedWrites"/>): when many spenders join at once (a new month,
/// a burst of new chats) one write carries all who joined while the one before it was under way.
/// </summary>
[GrainType("spenders")]
[Reentrant]
internal sealed class SpenderListGrain(
    [PersistentState("spenders")] IPersistentState<SpenderListState> stored,
    DeepCopier<SpenderListState> copier) : Grain, ISpenderListGrain
{
    private SpenderListState? _live;
    private SharedWrites? _writes;

    private SpenderListState Live => _live ??= copier.Copy(stored.State);

    private SharedWrites Writes => _writes ??= new SharedWrites(
        async () =>
        {
            stored.State = copier.Copy(Live);
            await stored.WriteStateAsync();
        },
        DeactivateOnIdle); // another activation wrote: the next one reads what it stored

    public Task AddAsync(string spender, string month)
    {
        var live = Live;
        if (!live.ByMonth.TryGetValue(month, out var spenders))
        {
            live.ByMonth[month] = spenders = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var old in live.ByMonth.Keys.OrderDescending(StringComparer.Ordinal).Skip(2).ToList())
            {
                live.ByMonth.Remove(old); // months are "yyyy-MM": the two latest stay
            }
        }

        // Added before any await (a caller that finds it there while its write is under way waits for that write too).
        return spenders.Add(spender) || stored.State.ByMonth.GetValueOrDefault(month)?.Contains(spender) != true ? Writes.StoreAsync() : Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ReadAsync(string month) =>
        Task.FromResult<IReadOnlyList<string>>(Live.ByMonth.TryGetValue(month, out var spenders) ? [.. spenders] : []);
}

[GenerateSerializer, Alias("Assistant.Spending.SpenderListState")]
internal sealed class SpenderListState
{
    [Id(0)] public Dictionary<string, SortedSet<string>> ByMonth { get; set; } = new(StringComparer.Ordinal);
}
