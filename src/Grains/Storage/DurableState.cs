using Orleans.Serialization;
using Orleans.Storage;

namespace Assistant.Storage;

/// <summary>
/// A grain's persistent state as a sequence of commits. <see cref="Value"/> is only ever what was
/// last written successfully: a change is applied to a copy, the copy is written, and only then does
/// it become <see cref="Value"/>. A failed write leaves <see cref="Value"/> as it was, so nothing
/// reads a change that is not durable. The object being written is never touched again, so even a
/// storage provider that serialises it off the activation's thread (as the Orleans ADO.NET provider
/// did on PostgreSQL; <see cref="GrainStateStore"/> serialises at the call) sees a consistent
/// snapshot. Commits are serialised. Two states of one grain can change in one transaction
/// (<see cref="UpdateWithAsync{TOther}"/>), when their rows are in <see cref="GrainStateStore"/>.
/// </summary>
/// <remarks>
/// Callers treat <see cref="Value"/> as read-only; every change goes through <see cref="UpdateAsync(Func{T, bool})"/>.
/// A write refused because the stored version moved (<see cref="InconsistentStateException"/>:
/// someone else wrote the row, another activation of the same grain while a silo is being lost)
/// calls <c>onConflict</c>, when given, and reads nothing: the owner stops its work and leaves the
/// stored state to the next activation. Without it the stored state is read again for the caller's retry.
/// </remarks>
internal sealed class DurableState<T>
    where T : class
{
    private readonly SemaphoreSlim _commit = new(1, 1);
    private readonly IStateRow<T> _row;
    private readonly DeepCopier<T> _copier;
    private readonly Action? _onConflict;
    private T? _committed;

    public DurableState(IStateRow<T> row, DeepCopier<T> copier, Action? onConflict = null)
    {
        _row = row;
        _copier = copier;
        _onConflict = onConflict;
    }

    public DurableState(IPersistentState<T> storage, DeepCopier<T> copier, Action? onConflict = null)
        : this(new PersistentStateRow<T>(storage), copier, onConflict)
    {
    }

    /// <summary>The state as last stored (or read at activation).</summary>
    public T Value => _committed ??= _row.State;

    /// <summary>Reads the stored state (at activation, for a row Orleans does not read itself).</summary>
    public async Task ReadAsync()
    {
        await _row.ReadAsync();
        _committed = _row.State;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to a copy of <see cref="Value"/> and stores it. Returns false
    /// (storing nothing) when the change says there was nothing to do; throws when the write fails,
    /// in which case <see cref="Value"/> is unchanged.
    /// </summary>
    public async Task<bool> UpdateAsync(Func<T, bool> change)
    {
        await _commit.WaitAsync();
        try
        {
            return await ChangeAsync(change);
        }
        finally
        {
            _commit.Release();
        }
    }

    /// <summary>
    /// As <see cref="UpdateAsync(Func{T, bool})"/>, but false at once, storing nothing, while a
    /// commit of this state is under way: its outcome is the news (the recovery sweep's rewrite).
    /// </summary>
    public async Task<bool> TryUpdateAsync(Func<T, bool> change)
    {
        if (!_commit.Wait(0))
        {
            return false;
        }

        try
        {
            return await ChangeAsync(change);
        }
        finally
        {
            _commit.Release();
        }
    }

    public Task UpdateAsync(Action<T> change) => UpdateAsync(s =>
    {
        change(s);
        return true;
    });

    /// <summary>
    /// Changes this state and <paramref name="other"/> in one transaction: both are stored or
    /// neither, and either <see cref="Value"/> changes only once both are. A conflict on either row
    /// is handled, as in <see cref="UpdateAsync(Func{T, bool})"/>, for both. Always take this state
    /// first and the other second in every joint write of a pair, or two could wait for each other.
    /// </summary>
    /// <param name="alsoOf">A row to write in the same transaction, from this state as changed (an index row).</param>
    public async Task<bool> UpdateWithAsync<TOther>(Func<T, bool> change, DurableState<TOther> other, Func<TOther, bool> otherChange, Func<T, StateWrite>? alsoOf = null)
        where TOther : class
    {
        await _commit.WaitAsync();
        try
        {
            await other._commit.WaitAsync();
            try
            {
                var next = _copier.Copy(Value);
                var otherNext = other._copier.Copy(other.Value);
                var changed = change(next);
                var otherChanged = otherChange(otherNext);
                IReadOnlyList<StateWrite> also = changed && alsoOf is not null ? [alsoOf(next)] : [];
                if (!changed || !otherChanged)
                {
                    return changed ? await CommitAsync(next, also) : otherChanged && await other.CommitAsync(otherNext, []);
                }

                var otherWrite = other._row.Prepare(otherNext);
                try
                {
                    await CommitAsync(next, [otherWrite, .. also]);
                }
                catch (InconsistentStateException)
                {
                    await other.ConflictedAsync();
                    throw;
                }

                other._row.Written(otherNext, otherWrite);
                other._committed = otherNext;
                return true;
            }
            finally
            {
                other._commit.Release();
            }
        }
        finally
        {
            _commit.Release();
        }
    }

    /// <summary>Applies <paramref name="change"/> to a copy and stores it alone; the caller holds the commit lock.</summary>
    private async Task<bool> ChangeAsync(Func<T, bool> change)
    {
        var next = _copier.Copy(Value);
        return change(next) && await CommitAsync(next, []);
    }

    private async Task<bool> CommitAsync(T next, IReadOnlyList<StateWrite> beside)
    {
        try
        {
            await _row.WriteAsync(next, beside);
        }
        catch (InconsistentStateException)
        {
            await ConflictedAsync();
            throw;
        }

        _committed = next;
        return true;
    }

    private async Task ConflictedAsync()
    {
        if (_onConflict is not null)
        {
            _onConflict();
            return;
        }

        // The row moved under us (a write that failed after it committed, or another activation):
        // what is stored is the truth, and the caller's retry starts from it.
        await ReadAsync();
    }
}
