using Assistant.Storage;
using Orleans.Serialization;

namespace Assistant.Access;

/// <summary>The users owners and admins changed (<see cref="IAccessListGrain"/>), stored as one row.</summary>
[GrainType("access-list")]
internal sealed class AccessListGrain(
    [PersistentState("access-list")] IPersistentState<AccessListState> stored,
    DeepCopier<AccessListState> copier) : Grain, IAccessListGrain
{
    private readonly DurableState<AccessListState> _state = new(stored, copier);

    public Task AddAsync(long userId) => _state.Value.Users.Contains(userId) ? Task.CompletedTask : _state.UpdateAsync(s => s.Users.Add(userId));

    public Task<IReadOnlyList<long>> ReadAsync() => Task.FromResult<IReadOnlyList<long>>([.. _state.Value.Users]);
}
