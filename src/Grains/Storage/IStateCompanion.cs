using System.Data.Common;

namespace Assistant.Storage;

/// <summary>
/// A row that belongs with a grain state and is written in the same transaction as it, so that
/// neither is stored without the other (the Telegram inbox and the mark recovery finds it by).
/// <see cref="GrainStateStore"/> asks every registered companion at each write of a state.
/// </summary>
public interface IStateCompanion
{
    /// <summary>
    /// What to write beside this write of <paramref name="state"/> (read now, on the activation's
    /// thread), or null for nothing. It runs after the state's own statement, in its transaction;
    /// if it fails, the state's write fails with it. It may run twice (a commit whose outcome was
    /// unknown is applied again), so it must be idempotent.
    /// </summary>
    Func<DbConnection, DbTransaction, Task>? Beside(string stateName, string grainKey, object? state);
}
