using Assistant.Storage;
using Orleans.Serialization;

namespace Assistant.Spending;

/// <summary>The spenders of the last two months (<see cref="ISpenderListGrain"/>), stored as one row.</summary>
[GrainType("spenders")]
internal sealed class SpenderListGrain(
    [PersistentState("spenders")] IPersistentState<SpenderListState> stored,
    DeepCopier<SpenderListState> copier) : Grain, ISpenderListGrain
{
    private readonly DurableState<SpenderListState> _state = new(stored, copier);

    public Task AddAsync(string spender, string month) =>
        _state.Value.ByMonth.TryGetValue(month, out var listed) && listed.Contains(spender)
            ? Task.CompletedTask
            : _state.UpdateAsync(s =>
            {
                if (!s.ByMonth.TryGetValue(month, out var spenders))
                {
                    s.ByMonth[month] = spenders = new SortedSet<string>(StringComparer.Ordinal);
                }

                spenders.Add(spender);
                foreach (var old in s.ByMonth.Keys.OrderDescending(StringComparer.Ordinal).Skip(2).ToList())
                {
                    s.ByMonth.Remove(old); // months are "yyyy-MM": the two latest stay
                }

                return true;
            });

    public Task<IReadOnlyList<string>> ReadAsync(string month) =>
        Task.FromResult<IReadOnlyList<string>>(_state.Value.ByMonth.TryGetValue(month, out var spenders) ? [.. spenders] : []);
}

[GenerateSerializer, Alias("Assistant.Spending.SpenderListState")]
internal sealed class SpenderListState
{
    [Id(0)] public Dictionary<string, SortedSet<string>> ByMonth { get; set; } = new(StringComparer.Ordinal);
}
