using System.Data.Common;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Assistant.Storage;

/// <summary>
/// The grains' persistent state, in the <c>grain_state</c> table: one row per state of a grain,
/// its version the ETag. Writes go through <see cref="GroupCommit"/>, so that under a burst of
/// chats the writes of many sessions (and the session directory's rows beside them) share one
/// transaction and one flush of the disk, where the Orleans ADO.NET provider this replaces made a
/// commit of its own for each. A write completes only once its transaction has committed.
/// </summary>
/// <remarks>
/// A write names the version it expects. A state written by anyone else since (another activation
/// of the same grain, for a moment while a silo is being lost) fails the write with
/// <see cref="InconsistentStateException"/>. The same write applied twice (the group's commit
/// failed with an unknown outcome and it is tried again) finds its own version and write id and
/// succeeds; another write of the same version is refused, even with the same payload. The state
/// is serialised when the write is called, on the activation's thread, and rows that belong with it
/// (<see cref="IStateCompanion"/>) go in the same transaction, as do the
/// states of one grain written together (<see cref="IJointGrainStorage"/>). Conversations of builds
/// before the key spaces are not here: see <c>LegacyStorage</c>.
/// </remarks>
public sealed class GrainStateStore(
    Database database,
    GroupCommit group,
    IGrainStorageSerializer serializer,
    IActivatorProvider activators,
    IOptions<ClusterOptions> cluster,
    IEnumerable<IStateCompanion> companions) : IJointGrainStorage
{
    private readonly string _serviceId = cluster.Value.ServiceId;
    private readonly IStateCompanion[] _companions = [.. companions];

    // The same on SQLite and PostgreSQL. A write that matches neither its expected version nor
    // (applied again) its own changes no row, on both.
    private const string Write = """
        INSERT INTO grain_state (service_id, state_name, grain_key, version, write_id, payload, modified_on)
        VALUES (@service, @state, @key, @next, @write, @payload, @now)
        ON CONFLICT (service_id, state_name, grain_key) DO UPDATE SET
            version = excluded.version, write_id = excluded.write_id, payload = excluded.payload, modified_on = excluded.modified_on
        WHERE grain_state.version = @expected
           OR (grain_state.version = excluded.version AND grain_state.write_id = excluded.write_id)
        """;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand(
            "SELECT version, payload FROM grain_state WHERE service_id = @service AND state_name = @state AND grain_key = @key");
        await using var reader = await command.With("service", _serviceId).With("state", stateName).With("key", KeyOf(grainId)).ExecuteReaderAsync();
        string? etag = null;
        byte[]? payload = null;
        if (await reader.ReadAsync())
        {
            etag = reader.GetInt64(0).ToString(CultureInfo.InvariantCulture); // a cleared state keeps its version
            payload = reader.IsDBNull(1) ? null : (byte[])reader.GetValue(1);
        }

        grainState.ETag = etag;
        grainState.State = payload is null ? NewState<T>() : serializer.Deserialize<T>(BinaryData.FromBytes(payload));
        grainState.RecordExists = payload is not null;
    }

    /// <summary>
    /// Every stored (not cleared) state named <paramref name="stateName"/>, with its grain's key: a
    /// one-time migration's scan. A state that cannot be read is returned as null, not thrown.
    /// </summary>
    public async IAsyncEnumerable<(string Key, T? State)> ReadAllAsync<T>(string stateName)
        where T : class
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand(
            "SELECT grain_key, payload FROM grain_state WHERE service_id = @service AND state_name = @state AND payload IS NOT NULL");
        await using var reader = await command.With("service", _serviceId).With("state", stateName).ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            T? state;
            try
            {
                state = serializer.Deserialize<T>(BinaryData.FromBytes((byte[])reader.GetValue(1)));
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not System.Data.Common.DbException)
            {
                state = null;
            }

            yield return (reader.GetString(0), state);
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var write = Prepare(stateName, grainId, grainState.ETag, grainState.State);
        await WriteTogetherAsync([write]);
        grainState.ETag = write.NextETag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public StateWrite Prepare<T>(string stateName, GrainId grainId, string? etag, T state)
    {
        var payload = WholeArray(serializer.Serialize(state));
        var beside = _companions.Select(c => c.Beside(stateName, KeyOf(grainId), state)).OfType<Func<DbConnection, DbTransaction, Task>>().ToList();
        return Prepare(stateName, grainId, etag, payload, beside);
    }

    /// <inheritdoc/>
    public Task WriteTogetherAsync(IReadOnlyList<StateWrite> writes) =>
        group.RunAsync(async (connection, transaction) =>
        {
            foreach (var write in writes)
            {
                await write.Apply(connection, transaction);
            }
        });

    /// <summary>Keeps the row, without its payload (the versions go on from it); the state becomes the type's new instance.</summary>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        grainState.ETag = await StoreAsync(stateName, grainId, grainState.ETag, null);
        grainState.State = NewState<T>();
        grainState.RecordExists = false;
    }

    private T NewState<T>() => activators.GetActivator<T>().Create();

    /// <summary>
    /// The serialized state's bytes, without copying them when they are one whole array (as
    /// <see cref="BinaryStateSerializer"/> returns them): a session's state is tens of KB, written
    /// after every exchange. This relies on the serializer handing over an array it never touches
    /// again, as the ones <see cref="StateFormats"/> builds do (a new array per call).
    /// </summary>
    private static byte[] WholeArray(BinaryData data) =>
        MemoryMarshal.TryGetArray(data.ToMemory(), out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : data.ToArray();

    /// <summary>The key a grain's states are stored under: its grain key, as Orleans writes it.</summary>
    public static string KeyOf(GrainId grainId) => grainId.Key.ToString()!;

    /// <summary>
    /// Writes <paramref name="payload"/> (null: cleared) over version <paramref name="etag"/>; returns
    /// the new version. <paramref name="writeId"/> (new for each call unless given) is the same in
    /// every attempt of this write.
    /// </summary>
    internal async Task<string> StoreAsync(string stateName, GrainId grainId, string? etag, byte[]? payload, string? writeId = null)
    {
        var write = Prepare(stateName, grainId, etag, payload, [], writeId);
        await WriteTogetherAsync([write]);
        return write.NextETag;
    }

    private StateWrite Prepare(
        string stateName, GrainId grainId, string? etag, byte[]? payload, IReadOnlyList<Func<DbConnection, DbTransaction, Task>> beside, string? writeId = null)
    {
        var expected = etag is null ? 0 : long.Parse(etag, CultureInfo.InvariantCulture);
        var next = expected + 1;
        var key = KeyOf(grainId);
        var now = DateTime.UtcNow;
        var write = writeId ?? Guid.NewGuid().ToString("D");
        return new StateWrite(stateName, key, next.ToString(CultureInfo.InvariantCulture), async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand(Write, transaction)
                .With("service", _serviceId).With("state", stateName).With("key", key)
                .With("next", next).With("write", write).With("expected", expected).With("payload", payload).With("now", now);
            if (await command.ExecuteNonQueryAsync() == 0)
            {
                throw new InconsistentStateException(
                    $"The {stateName} state of {grainId} was written by someone else since version {etag ?? "(none)"} was read.",
                    storedEtag: "(newer)",
                    currentEtag: etag ?? "(none)");
            }

            foreach (var companion in beside)
            {
                await companion(connection, transaction);
            }
        });
    }
}
