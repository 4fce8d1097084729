using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>
/// <see cref="GrainStateStore"/> on both databases: the version guards every write, a write
/// applied a second time (after a commit whose outcome was unknown) is not a conflict but another
/// write of the same version is, a cleared state keeps its version and loses its payload, and the
/// writes of many grains at once share commits.
/// </summary>
public sealed class GrainStateStoreTests
{
    private static readonly GrainId Grain = GrainId.Create("session", "api:store");

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Every_write_names_the_version_it_read_and_a_stale_one_is_refused(StorageKind kind)
    {
        await using var database = await TestStorage.MigratedAsync(kind, "grain-state");
        var store = Store(database, new GroupCommit(database));

        var fresh = await ReadAsync(store);
        Assert.False(fresh.RecordExists);
        Assert.Null(fresh.ETag);
        Assert.Equal(0, fresh.State!.Count);

        var mine = new GrainState<Counter>(new Counter { Count = 1 });
        await store.WriteStateAsync("counter", Grain, mine);
        Assert.Equal("1", mine.ETag);
        Assert.True(mine.RecordExists);

        // Someone who read before that write (no row then) cannot write over it.
        var stale = new GrainState<Counter>(new Counter { Count = 99 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteStateAsync("counter", Grain, stale));

        mine.State = new Counter { Count = 2 };
        await store.WriteStateAsync("counter", Grain, mine);
        var read = await ReadAsync(store);
        Assert.Equal(("2", 2, true), (read.ETag, read.State!.Count, read.RecordExists));

        // An activation holding version 1 (it read before the write above) is refused too.
        var behind = new GrainState<Counter>(new Counter { Count = 7 }) { ETag = "1" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteStateAsync("counter", Grain, behind));
        Assert.Equal(2, (await ReadAsync(store)).State!.Count);

        // Another state of the same grain, and the same state of another grain, are rows of their own.
        await store.WriteStateAsync("other", Grain, new GrainState<Counter>(new Counter { Count = 5 }));
        await store.WriteStateAsync("counter", GrainId.Create("session", "api:another"), new GrainState<Counter>(new Counter { Count = 6 }));
        Assert.Equal(2, (await ReadAsync(store)).State!.Count);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Two_states_written_together_are_both_stored_or_neither_when_either_version_moved(StorageKind kind)
    {
        await using var database = await TestStorage.MigratedAsync(kind, "grain-state-together");
        var store = Store(database, new GroupCommit(database));
        var answer = store.Prepare("counter", Grain, null, new Counter { Count = 1 });
        var record = store.Prepare("other", Grain, null, new Counter { Count = 10 });
        await store.WriteTogetherAsync([answer, record]);
        Assert.Equal(("1", 1), await ReadAsync(store) is var first ? (first.ETag, first.State!.Count) : default);
        Assert.Equal(10, (await ReadAsync(store, "other")).State!.Count);

        // The second state was written by someone else meanwhile: the first is not stored either.
        await store.WriteStateAsync("other", Grain, new GrainState<Counter>(new Counter { Count = 11 }) { ETag = "1" });
        var stale = store.Prepare("other", Grain, "1", new Counter { Count = 12 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteTogetherAsync([store.Prepare("counter", Grain, "1", new Counter { Count = 2 }), stale]));
        Assert.Equal(("1", 1), await ReadAsync(store) is var after ? (after.ETag, after.State!.Count) : default);
        Assert.Equal(11, (await ReadAsync(store, "other")).State!.Count);

        // Applied twice (a commit whose outcome was unknown), the pair finds itself.
        var again = new[] { store.Prepare("counter", Grain, "1", new Counter { Count = 3 }), store.Prepare("other", Grain, "2", new Counter { Count = 13 }) };
        await store.WriteTogetherAsync(again);
        await store.WriteTogetherAsync(again);
        Assert.Equal(("2", 3), await ReadAsync(store) is var last ? (last.ETag, last.State!.Count) : default);
        Assert.Equal(13, (await ReadAsync(store, "other")).State!.Count);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task The_same_write_applied_twice_is_not_a_conflict_but_another_with_the_same_payload_is(StorageKind kind)
    {
        await using var database = await TestStorage.MigratedAsync(kind, "grain-state-again");
        var store = Store(database, new GroupCommit(database));
        await store.WriteStateAsync("counter", Grain, new GrainState<Counter>(new Counter { Count = 1 }));
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Counter { Count = 2 });

        // What the group commit does after a commit whose outcome was unknown: the same write again.
        Assert.Equal("2", await store.StoreAsync("counter", Grain, "1", payload, "write-a"));
        Assert.Equal("2", await store.StoreAsync("counter", Grain, "1", payload, "write-a"));

        // Another write from version 1 (another activation), even with the same payload: refused.
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.StoreAsync("counter", Grain, "1", payload, "write-b"));
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            store.WriteStateAsync("counter", Grain, new GrainState<Counter>(new Counter { Count = 3 }) { ETag = "1" }));
        Assert.Equal(("2", 2), await ReadAsync(store) is var read ? (read.ETag, read.State!.Count) : default);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task A_cleared_state_keeps_its_version_and_loses_its_payload(StorageKind kind)
    {
        await using var database = await TestStorage.MigratedAsync(kind, "grain-state-clear");
        var store = Store(database, new GroupCommit(database));
        var state = new GrainState<Counter>(new Counter { Count = 4 });
        await store.WriteStateAsync("counter", Grain, state);

        await store.ClearStateAsync("counter", Grain, state);
        Assert.Equal(("2", 0, false), (state.ETag, state.State!.Count, state.RecordExists));
        Assert.True(await StoredPayloadIsNullAsync(database));

        var read = await ReadAsync(store);
        Assert.Equal(("2", 0, false), (read.ETag, read.State!.Count, read.RecordExists));

        // One who read before the clear cannot bring the state back; one who read after can write.
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            store.WriteStateAsync("counter", Grain, new GrainState<Counter>(new Counter { Count = 9 }) { ETag = "1" }));
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            store.WriteStateAsync("counter", Grain, new GrainState<Counter>(new Counter { Count = 9 })));
        read.State = new Counter { Count = 8 };
        await store.WriteStateAsync("counter", Grain, read);
        Assert.Equal(("3", 8), await ReadAsync(store) is var after ? (after.ETag, after.State!.Count) : default);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Writes_of_many_grains_at_once_share_commits_and_each_is_stored(StorageKind kind)
    {
        await using var database = await TestStorage.MigratedAsync(kind, "grain-state-group");
        var group = new GroupCommit(database);
        var store = Store(database, group);
        var grains = Enumerable.Range(0, 100).Select(i => GrainId.Create("session", $"api:g{i}")).ToList();

        await Task.WhenAll(grains.Select((grain, i) => store.WriteStateAsync("counter", grain, new GrainState<Counter>(new Counter { Count = i }))));

        var (commits, writes) = group.Counts;
        Assert.Equal(100, writes);
        Assert.True(commits < writes, $"{commits} commits for {writes} writes");
        for (var i = 0; i < grains.Count; i++)
        {
            var read = new GrainState<Counter>(new Counter());
            await store.ReadStateAsync("counter", grains[i], read);
            Assert.Equal(i, read.State!.Count);
        }
    }

    private static GrainStateStore Store(Database database, GroupCommit group) =>
        new(database, group, new JsonStateSerializer(), Activators, Options.Create(new ClusterOptions { ServiceId = "store-tests" }), []);

    private static readonly IActivatorProvider Activators =
        new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<IActivatorProvider>();

    private static async Task<GrainState<Counter>> ReadAsync(GrainStateStore store, string name = "counter")
    {
        var state = new GrainState<Counter>(new Counter());
        await store.ReadStateAsync(name, Grain, state);
        return state;
    }

    private static async Task<bool> StoredPayloadIsNullAsync(Database database)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand("SELECT payload IS NULL FROM grain_state WHERE state_name = 'counter' AND grain_key = 'api:store'");
        return Convert.ToBoolean(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public sealed class Counter
    {
        public int Count { get; set; }
    }

    private sealed class JsonStateSerializer : IGrainStorageSerializer
    {
        public BinaryData Serialize<T>(T? input) => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(input));

        public T Deserialize<T>(BinaryData input) => JsonSerializer.Deserialize<T>(input.ToArray())!;
    }
}
