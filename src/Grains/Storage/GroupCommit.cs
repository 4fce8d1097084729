using System.Data.Common;

namespace Assistant.Storage;

/// <summary>
/// Small writes of many sessions committed together (group commit). A write that finds no commit
/// under way goes at once, alone; writes that come while a commit is under way wait for it and then
/// go together, in one transaction: one commit, one flush of the disk, for all of them instead of
/// one each. SQLite commits one writer at a time, so under a burst of chats this is what keeps the
/// queue of commits short. Each write runs in a savepoint of its own: one that fails is rolled back
/// and the others commit; it is then tried again alone, in a transaction of its own. When the
/// group's transaction fails as a whole, each of its writes is tried again alone. So a caller hears
/// of a failure only when its write fails on its own, as it would have without the group. A
/// caller's task completes only once its write is committed, so nothing is acknowledged before it
/// is durable, as with a transaction of its own. A write is applied again after a commit whose
/// outcome is unknown (a connection lost during COMMIT), alone or in a group: writes given here
/// must be idempotent, as the directory's upserts and the grain state's versioned writes are.
/// </summary>
public sealed class GroupCommit(Database database)
{
    private const string Savepoint = "group_write";
    private const int RetrySlots = 32;
    private readonly SemaphoreSlim _retrySlots = new(RetrySlots);
    private readonly object _sync = new();
    private List<Write> _waiting = [];
    private bool _committing;
    private long _commits;
    private long _writes;

    /// <summary>Runs <paramref name="write"/> in the next group's transaction; completes once that has committed.</summary>
    public Task RunAsync(Func<DbConnection, DbTransaction, Task> write)
    {
        var item = new Write(write);
        bool start;
        lock (_sync)
        {
            _waiting.Add(item);
            start = !_committing;
            _committing = true;
        }

        if (start)
        {
            // SQLite's calls complete synchronously: the caller's thread (a grain's) is not held.
            _ = Task.Run(CommitWhileWaitingAsync);
        }

        return item.Done.Task;
    }

    /// <summary>Commits made and the writes they carried, since start: their ratio is the grouping achieved.</summary>
    public (long Commits, long Writes) Counts => (Interlocked.Read(ref _commits), Interlocked.Read(ref _writes));

    private async Task CommitWhileWaitingAsync()
    {
        while (true)
        {
            List<Write> group;
            lock (_sync)
            {
                if (_waiting.Count == 0)
                {
                    _committing = false;
                    return;
                }

                group = _waiting;
                _waiting = [];
            }

            await CommitAsync(group);
        }
    }

    private async Task CommitAsync(List<Write> group)
    {
        var written = new List<Write>(group.Count);
        var failedInGroup = new List<Write>();
        var committed = false;
        var committing = false;
        try
        {
            await using var connection = await database.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            foreach (var item in group)
            {
                if (group.Count == 1)
                {
                    await item.Apply(connection, transaction); // alone: its failure is the transaction's
                    written.Add(item);
                    continue;
                }

                await transaction.SaveAsync(Savepoint);
                try
                {
                    await item.Apply(connection, transaction);
                    await transaction.ReleaseAsync(Savepoint);
                    written.Add(item);
                }
                catch (Exception)
                {
                    await transaction.RollbackAsync(Savepoint);
                    await transaction.ReleaseAsync(Savepoint);
                    failedInGroup.Add(item); // tried again alone below: a deadlock victim, say, goes through then
                }
            }

            committing = true;
            await transaction.CommitAsync();
            committed = true;
        }
        catch (Exception ex) when (!committed)
        {
            if (group.Count == 1)
            {
                var lone = group[0];
                if (committing && !lone.AppliedAgain)
                {
                    // The COMMIT failed: it may have committed all the same (a connection lost during
                    // it). Applied once more, like a group's writes: an idempotent write that did
                    // commit finds itself, so its caller hears success instead of a failure that
                    // leaves its state's version behind the database's.
                    lone.AppliedAgain = true;
                    await OnThreadOfItsOwnAsync(lone); // not for a slot: a retry holding one may be what is here
                    return;
                }

                lone.Done.TrySetException(ex);
                return;
            }

            // Nothing of the group is stored. Whatever broke it (a lost connection, a failed
            // commit), each write is tried once more alone, so that one write's trouble is not
            // every session's. Writes given here are idempotent (the summary): one that did reach
            // the database before the failure can safely be applied again.
            await RetryAloneAsync(group);
            return;
        }
        catch (Exception) when (committed)
        {
            // Committed; only the clean-up after it failed.
        }

        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _writes, written.Count);
        foreach (var item in written)
        {
            item.Done.TrySetResult();
        }

        await RetryAloneAsync(failedInGroup);
    }

    /// <summary>
    /// Each write in a transaction of its own, which decides what its caller hears. They go at once,
    /// not one after another: while the database is down or locked, the retries wait out one timeout
    /// together instead of one each, and the writes queued behind them are not held for the sum.
    /// Each starts on a thread of its own: Microsoft.Data.Sqlite waits for a lock synchronously, so
    /// started on this thread they would run one after another.
    /// </summary>
    private Task RetryAloneAsync(List<Write> writes) => Task.WhenAll(writes.Select(RetryAloneAsync));

    /// <summary>
    /// At most <see cref="RetrySlots"/> at once, so a failed group of hundreds does not start hundreds
    /// of threads. A retry's own second application (after its COMMIT failed) takes no slot: it
    /// runs while its retry holds one, and waiting for another could wait for ever.
    /// </summary>
    private async Task RetryAloneAsync(Write item)
    {
        await _retrySlots.WaitAsync();
        try
        {
            await OnThreadOfItsOwnAsync(item);
        }
        finally
        {
            _retrySlots.Release();
        }
    }

    private Task OnThreadOfItsOwnAsync(Write item) =>
        Task.Factory.StartNew(() => CommitAsync([item]), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private sealed class Write(Func<DbConnection, DbTransaction, Task> apply)
    {
        public Func<DbConnection, DbTransaction, Task> Apply { get; } = apply;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Whether it was applied again after a COMMIT that failed: once only.</summary>
        public bool AppliedAgain { get; set; }
    }
}
