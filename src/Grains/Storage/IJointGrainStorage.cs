using System.Data.Common;
using Orleans.Storage;

namespace Assistant.Storage;

/// <summary>
/// Grain storage that can write several states of one grain in one transaction: both stored or
/// neither (<see cref="GrainStateStore"/>). A session records a Telegram message's answer in the
/// conversation and in its delivery record (<c>Sessions.TelegramInboxState</c>) this way.
/// </summary>
public interface IJointGrainStorage : IGrainStorage
{
    /// <summary>
    /// The write of <paramref name="state"/> over version <paramref name="etag"/>, serialised now (on
    /// the caller's thread) with the rows that belong with it (<see cref="IStateCompanion"/>), not yet run.
    /// </summary>
    StateWrite Prepare<T>(string stateName, GrainId grainId, string? etag, T state);

    /// <summary>
    /// Runs <paramref name="writes"/> in one transaction: all are stored or none (a version conflict
    /// in any of them fails them all with <see cref="InconsistentStateException"/>).
    /// </summary>
    Task WriteTogetherAsync(IReadOnlyList<StateWrite> writes);
}

/// <summary>
/// One versioned write of a grain state and the rows that belong with it, prepared and not yet run
/// (<see cref="IJointGrainStorage.Prepare{T}"/>). It may be applied twice (a commit whose outcome
/// was unknown): the second application finds its own version and write id.
/// </summary>
public sealed record StateWrite(string StateName, string GrainKey, string NextETag, Func<DbConnection, DbTransaction, Task> Apply)
{
    /// <summary>
    /// A row that is not a grain state (an index row of <paramref name="table"/>), written in the
    /// same transaction as states; it has no version, so <paramref name="apply"/> must be idempotent.
    /// </summary>
    public static StateWrite Row(string table, string key, Func<DbConnection, DbTransaction, Task> apply) => new(table, key, string.Empty, apply);
}
