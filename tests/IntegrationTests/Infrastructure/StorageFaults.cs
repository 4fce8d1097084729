using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>
/// Scripted faults for grain storage: a decorator around the silo's real default storage
/// (<c>GrainStateStore</c> on SQLite or PostgreSQL) that fails, or holds, the reads and writes a test
/// chooses, by state name and grain key. Everything else goes through untouched.
/// </summary>
public sealed class StorageFaults
{
    private readonly ConcurrentDictionary<(string State, string Key), Fault> _faults = new();
    private readonly ConcurrentQueue<(string State, string Key, bool Failed, DateTimeOffset At)> _writes = new();
    private TimeSpan _watchDelay;
    private int _mutatedDuringWrite;
    private int _watchedWrites;

    /// <summary>Adds the decorator to a silo's services (pass to <see cref="InProcessSilo.StartAsync"/>).</summary>
    public void Install(IServiceCollection services)
    {
        var original = services.Last(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, "Default"));
        services.Remove(original);
        services.AddKeyedSingleton<IGrainStorage>("Default", (sp, key) => new FaultyGrainStorage(
            (IGrainStorage)original.KeyedImplementationFactory!(sp, key), this, sp.GetRequiredService<Orleans.Serialization.Serializer>()));
    }

    /// <summary>
    /// Every write waits <paramref name="delay"/> before it reaches the real storage (as a write
    /// waiting for a pooled connection does), and the state is serialised before and after that
    /// wait: a difference means the grain changed the object while it was being written.
    /// </summary>
    public void WatchForMutationDuringWrites(TimeSpan delay) => _watchDelay = delay;

    /// <summary>Writes whose state object changed between the write call and the storage serialising it.</summary>
    public int MutatedDuringWrite => Volatile.Read(ref _mutatedDuringWrite);

    public int WatchedWrites => Volatile.Read(ref _watchedWrites);

    /// <summary>The next <paramref name="count"/> writes of this state of this grain fail (int.MaxValue: until <see cref="Clear"/>).</summary>
    public void FailWrites(string state, string key, int count = int.MaxValue) => _faults[(state, key)] = new Fault { FailWrites = count };

    /// <summary>
    /// The next <paramref name="count"/> writes of this state of this grain find it written by
    /// someone else first: the same state is written over the same version just before (as another
    /// activation of the grain would, while a silo is being lost), so the write itself is refused
    /// with the real storage's <see cref="InconsistentStateException"/>. A state written with
    /// others in one transaction (<see cref="IJointGrainStorage"/>) has the whole set written first.
    /// </summary>
    public void ConflictWrites(string state, string key, int count = 1) => _faults[(state, key)] = new Fault { ConflictWrites = count };

    public void FailReads(string state, string key) => _faults[(state, key)] = new Fault { FailReads = true };

    /// <summary>Reads of this state of this grain (its activation) wait until the returned gate is opened.</summary>
    public TaskCompletionSource HoldReads(string state, string key)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _faults[(state, key)] = new Fault { HoldReads = gate };
        return gate;
    }

    /// <summary>Writes of this state of this grain wait until the returned gate is opened.</summary>
    public TaskCompletionSource HoldWrites(string state, string key)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _faults[(state, key)] = new Fault { Hold = gate };
        return gate;
    }

    public void Clear(string state, string key) => _faults.TryRemove((state, key), out _);

    public int Writes(string state, string key, bool failed) => _writes.Count(w => w.State == state && w.Key == key && w.Failed == failed);

    /// <summary>When each write of this state of this grain was made (failed or not), oldest first.</summary>
    public IReadOnlyList<DateTimeOffset> WriteTimes(string state, string key) => [.. _writes.Where(w => w.State == state && w.Key == key).Select(w => w.At)];

    /// <summary>Completes when a write of this state of this grain has started (and is held, if it is).</summary>
    public async Task WaitForWriteAsync(string state, string key, int count, TimeSpan timeout) =>
        await Eventually.WaitAsync(() => Task.FromResult(_writes.Count(w => w.State == state && w.Key == key) >= count), $"{count} writes of {state}/{key}", timeout, TimeSpan.FromMilliseconds(20));

    private sealed class Fault
    {
        public int FailWrites;
        public int ConflictWrites;
        public bool FailReads;
        public TaskCompletionSource? Hold;
        public TaskCompletionSource? HoldReads;
    }

    private sealed class FaultyGrainStorage(IGrainStorage inner, StorageFaults faults, Orleans.Serialization.Serializer serializer) : IJointGrainStorage, ILifecycleParticipant<ISiloLifecycle>
    {
        // For each prepared write, the same write as another activation would prepare it (another write id).
        private readonly ConditionalWeakTable<StateWrite, Func<StateWrite>> _rivals = [];

        private IJointGrainStorage Joint => (IJointGrainStorage)inner;

        public StateWrite Prepare<T>(string stateName, GrainId grainId, string? etag, T state)
        {
            var write = Joint.Prepare(stateName, grainId, etag, state);
            _rivals.Add(write, () => Joint.Prepare(stateName, grainId, etag, state));
            return write;
        }

        /// <summary>
        /// Each state of the joint write meets its faults as a write of its own would; then all go
        /// together. A scripted conflict writes the whole set first, as another activation's joint
        /// write of the same states over the same versions would, so the set itself is refused.
        /// </summary>
        public async Task WriteTogetherAsync(IReadOnlyList<StateWrite> writes)
        {
            var held = new List<StateWrite>();
            foreach (var write in writes)
            {
                if (!faults._faults.TryGetValue((write.StateName, write.GrainKey), out var fault))
                {
                    continue;
                }

                if (fault.Hold is { } hold)
                {
                    faults._writes.Enqueue((write.StateName, write.GrainKey, false, DateTimeOffset.UtcNow));
                    held.Add(write);
                    await hold.Task;
                }
                else if (Interlocked.Decrement(ref fault.ConflictWrites) >= 0)
                {
                    await Joint.WriteTogetherAsync([.. writes.Select(w => _rivals.TryGetValue(w, out var rival) ? rival() : w)]); // a row with no version (an index row) goes as it is
                    faults._writes.Enqueue((write.StateName, write.GrainKey, true, DateTimeOffset.UtcNow));
                }
                else if (Interlocked.Decrement(ref fault.FailWrites) >= 0)
                {
                    faults._writes.Enqueue((write.StateName, write.GrainKey, true, DateTimeOffset.UtcNow));
                    throw new IOException($"Injected write failure for {write.StateName} of {write.GrainKey} (database is locked)");
                }
            }

            await Joint.WriteTogetherAsync(writes); // refused, after a rival's write, because the version moved
            foreach (var write in writes.Except(held))
            {
                faults._writes.Enqueue((write.StateName, write.GrainKey, false, DateTimeOffset.UtcNow));
            }
        }

        public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (faults._faults.TryGetValue((stateName, grainId.Key.ToString()!), out var fault))
            {
                if (fault.FailReads)
                {
                    throw new IOException($"Injected read failure for {stateName} of {grainId}");
                }

                if (fault.HoldReads is { } hold)
                {
                    await hold.Task;
                }
            }

            await inner.ReadStateAsync(stateName, grainId, grainState);
        }

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            var key = grainId.Key.ToString()!;
            if (faults._faults.TryGetValue((stateName, key), out var fault))
            {
                if (fault.Hold is { } hold)
                {
                    faults._writes.Enqueue((stateName, key, false, DateTimeOffset.UtcNow));
                    await hold.Task;
                }
                else if (Interlocked.Decrement(ref fault.ConflictWrites) >= 0)
                {
                    var other = new GrainState<T>(grainState.State, grainState.ETag) { RecordExists = grainState.RecordExists };
                    await inner.WriteStateAsync(stateName, grainId, other);
                    faults._writes.Enqueue((stateName, key, true, DateTimeOffset.UtcNow));
                    await inner.WriteStateAsync(stateName, grainId, grainState); // refused: the version moved
                }
                else if (Interlocked.Decrement(ref fault.FailWrites) >= 0)
                {
                    faults._writes.Enqueue((stateName, key, true, DateTimeOffset.UtcNow));
                    throw new IOException($"Injected write failure for {stateName} of {grainId} (database is locked)");
                }
            }

            if (faults._watchDelay > TimeSpan.Zero && grainId.Type.ToString() == "session")
            {
                var before = serializer.SerializeToArray(grainState.State);
                await Task.Delay(faults._watchDelay);
                var after = serializer.SerializeToArray(grainState.State);
                Interlocked.Increment(ref faults._watchedWrites);
                if (!before.AsSpan().SequenceEqual(after))
                {
                    Interlocked.Increment(ref faults._mutatedDuringWrite);
                }
            }

            await inner.WriteStateAsync(stateName, grainId, grainState);
            if (fault?.Hold is null)
            {
                faults._writes.Enqueue((stateName, key, false, DateTimeOffset.UtcNow));
            }
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

        public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
    }
}
