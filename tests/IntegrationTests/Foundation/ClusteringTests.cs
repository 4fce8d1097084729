using Assistant.IntegrationTests.Infrastructure;
using Assistant.IntegrationTests.TestGrains;
using Assistant.Storage;

namespace Assistant.IntegrationTests.Foundation;

public sealed class ClusteringTests
{
    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Two_silos_on_one_database_form_a_cluster_route_calls_across_and_keep_state_across_a_restart(StorageKind kind)
    {
        var directory = TestPaths.NewTempDirectory("cluster");
        var shared = await TestStorage.SettingsAsync(kind, directory, "cluster");
        var first = await InProcessSilo.StartAsync(Path.Combine(directory, "a"), shared);
        await using var second = await InProcessSilo.StartAsync(Path.Combine(directory, "b"), shared);

        var active = await first.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(2, active.Count);

        // Placed on the second silo by calling it from there, then called from the first.
        var home = await second.Grains.GetGrain<ILocationGrain>("placed-on-second").WhereAsync();
        Assert.Equal(home, await first.Grains.GetGrain<ILocationGrain>("placed-on-second").WhereAsync());
        Assert.NotEqual(await first.Grains.GetGrain<ILocationGrain>("placed-on-first").WhereAsync(), home);

        // The membership rows are in our table.
        await using (var connection = await TestStorage.Database(shared).OpenAsync())
        await using (var command = connection.CreateCommand("SELECT count(*) FROM OrleansMembershipTable WHERE Status = 3"))
        {
            Assert.Equal(2L, Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }

        // Grain state written through our storage queries is there after its silo stops.
        await first.Http.SendAsync("stateful", "keep me");
        await first.DisposeAsync();
        var restored = await second.Http.GetSessionAsync("stateful");
        Assert.Equal("keep me", SessionClient.Texts(restored)[0]);
    }
}
