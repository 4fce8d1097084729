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
/// snapshot. Commits are serialised.
/// </summary>
/// <remarks>
/// Callers treat <see cref="Value"/> as read-only; every change goes through <see cref="UpdateAsync"/>.
/// A write refused because the stored version moved (<see cref="InconsistentStateException"/>:
/// someone else wrote the row, another activation of the same grain while a silo is being lost)
/// calls <c>onConflict</c>, when given, and reads nothing: the owner stops its work and leaves the
/// stored state to the next activation. Without it the stored state is read again for the caller's retry.
/// </remarks>
internal sealed class DurableState<T>(IPersistentState<T> storage, DeepCopier<T> copier, Action? onConflict = null)
    where T : class
{
    private readonly SemaphoreSlim _commit = new(1, 1);
    private T? _committed;

    /// <summary>The state as last stored (or read at activation).</summary>
    public T Value => _committed ??= storage.State;

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
            var next = copier.Copy(Value);
            if (!change(next))
            {
                return false;
            }

            storage.State = next;
            try
            {
                await storage.WriteStateAsync();
            }
            catch (InconsistentStateException) when (onConflict is not null)
            {
                storage.State = Value;
                onConflict();
                throw;
            }
            catch (InconsistentStateException)
            {
                // The row moved under us (a write that failed after it committed, or another
                // activation): what is stored is the truth, and the caller's retry starts from it.
                await storage.ReadStateAsync();
                _committed = storage.State;
                throw;
            }
            catch
            {
                storage.State = Value;
                throw;
            }

            _committed = next;
            return true;
        }
        finally
        {
            _commit.Release();
        }
    }

    /// <summary>
    /// Reads the stored state again, for an activation that may have been overtaken by another
    /// activation of the same grain (possible for a moment while a silo is being lost). False,
    /// reading nothing, while a commit of this activation is under way: its outcome is the news.
    /// </summary>
    public async Task<bool> TryRefreshAsync()
    {
        if (!_commit.Wait(0))
        {
            return false;
        }

        try
        {
            await storage.ReadStateAsync();
            _committed = storage.State;
            return true;
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
}
