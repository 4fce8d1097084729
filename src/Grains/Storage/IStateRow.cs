using Orleans.Storage;

namespace Assistant.Storage;

/// <summary>Where a <see cref="DurableState{T}"/> keeps its state: a row it reads and writes whole.</summary>
internal interface IStateRow<T>
    where T : class
{
    /// <summary>The state as last read or written.</summary>
    T State { get; }

    Task ReadAsync();

    /// <summary>Stores <paramref name="state"/> with <paramref name="beside"/> in one transaction; on failure nothing changes.</summary>
    Task WriteAsync(T state, IReadOnlyList<StateWrite> beside);

    /// <summary>The write of <paramref name="state"/>, not yet run, for another row's transaction.</summary>
    StateWrite Prepare(T state);

    /// <summary>Told that <paramref name="write"/>, prepared for <paramref name="state"/>, was committed.</summary>
    void Written(T state, StateWrite write);
}

/// <summary>A state Orleans reads and writes (<see cref="IPersistentState{TState}"/>): written alone only.</summary>
internal sealed class PersistentStateRow<T>(IPersistentState<T> storage) : IStateRow<T>
    where T : class
{
    public T State => storage.State;

    public Task ReadAsync() => storage.ReadStateAsync();

    public async Task WriteAsync(T state, IReadOnlyList<StateWrite> beside)
    {
        if (beside.Count > 0)
        {
            throw new NotSupportedException("A state Orleans writes is written alone.");
        }

        var before = storage.State;
        storage.State = state;
        try
        {
            await storage.WriteStateAsync();
        }
        catch
        {
            storage.State = before;
            throw;
        }
    }

    public StateWrite Prepare(T state) => throw new NotSupportedException("A state Orleans writes is written alone.");

    public void Written(T state, StateWrite write) => throw new NotSupportedException("A state Orleans writes is written alone.");
}

/// <summary>
/// A state in the grain storage (<see cref="IJointGrainStorage"/>) read and written by the grain's
/// own code rather than by Orleans, so that two states of one grain can be written in one
/// transaction. The same row Orleans would use for <c>[PersistentState(name)]</c>.
/// </summary>
internal sealed class StoredStateRow<T>(IJointGrainStorage storage, string name, GrainId grainId) : IStateRow<T>
    where T : class
{
    private readonly GrainState<T> _stored = new();

    public T State => _stored.State ?? throw new InvalidOperationException($"The {name} state of {grainId} has not been read.");

    public Task ReadAsync() => storage.ReadStateAsync(name, grainId, _stored);

    public async Task WriteAsync(T state, IReadOnlyList<StateWrite> beside)
    {
        if (beside.Count == 0)
        {
            var alone = new GrainState<T>(state, _stored.ETag);
            await storage.WriteStateAsync(name, grainId, alone);
            _stored.State = state;
            _stored.ETag = alone.ETag;
            _stored.RecordExists = true;
            return;
        }

        var write = Prepare(state);
        await storage.WriteTogetherAsync([write, .. beside]);
        Written(state, write);
    }

    public StateWrite Prepare(T state) => storage.Prepare(name, grainId, _stored.ETag, state);

    public void Written(T state, StateWrite write)
    {
        _stored.State = state;
        _stored.ETag = write.NextETag;
        _stored.RecordExists = true;
    }
}
