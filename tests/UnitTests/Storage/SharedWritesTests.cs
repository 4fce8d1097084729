using Assistant.Storage;
using Orleans.Storage;

namespace Assistant.UnitTests.Storage;

/// <summary>Run as a grain runs them: one turn at a time on one scheduler, interleaving only at awaits.</summary>
public sealed class SharedWritesTests
{
    private readonly TaskScheduler _grain = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
    private readonly Queue<TaskCompletionSource> _writes = new();
    private int _conflicts;

    [Fact]
    public Task Changes_made_while_a_write_is_under_way_share_the_next_write_and_each_waits_for_one_begun_after_it() => OnGrainAsync(async () =>
    {
        var writes = Writes();
        var first = writes.StoreAsync();
        Assert.Single(_writes); // under way
        var second = writes.StoreAsync();
        var third = writes.StoreAsync();
        Assert.Single(_writes); // they wait: the write under way began before their changes

        _writes.Dequeue().SetResult();
        await first;
        await Task.Yield(); // the waiting changes take their turn, as in a grain
        Assert.False(second.IsCompleted);
        Assert.Single(_writes); // one more write, for both
        _writes.Dequeue().SetResult();
        await Task.WhenAll(second, third);
        Assert.Empty(_writes);
    });

    [Fact]
    public Task A_failed_write_fails_the_changes_it_carried_and_the_next_change_writes_again() => OnGrainAsync(async () =>
    {
        var writes = Writes();
        var first = writes.StoreAsync();
        _writes.Dequeue().SetException(new TimeoutException("storage down"));
        await Assert.ThrowsAsync<TimeoutException>(() => first);

        var second = writes.StoreAsync();
        _writes.Dequeue().SetResult();
        await second;
        Assert.Equal(0, _conflicts);
    });

    [Fact]
    public Task A_write_refused_for_a_moved_version_ends_the_activation() => OnGrainAsync(async () =>
    {
        var writes = Writes();
        var first = writes.StoreAsync();
        _writes.Dequeue().SetException(new InconsistentStateException("another activation wrote"));
        await Assert.ThrowsAsync<InconsistentStateException>(() => first);
        Assert.Equal(1, _conflicts);
    });

    private Task OnGrainAsync(Func<Task> test) => Task.Factory.StartNew(test, CancellationToken.None, TaskCreationOptions.None, _grain).Unwrap();

    private SharedWrites Writes() => new(
        () =>
        {
            var write = new TaskCompletionSource();
            _writes.Enqueue(write);
            return write.Task;
        },
        () => _conflicts++);
}
