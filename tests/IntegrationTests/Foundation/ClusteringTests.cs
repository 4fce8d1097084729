using Assistant.IntegrationTests.Infrastructure;
using Assistant.IntegrationTests.TestGrains;
using Microsoft.Data.Sqlite;

namespace Assistant.IntegrationTests.Foundation;

public sealed class ClusteringTests
{
    [Fact]
    public async Task Two_silos_on_one_SQLite_file_form_a_cluster_and_route_calls_across()
    {
        var directory = TestPaths.NewTempDirectory("cluster");
        var shared = new Dictionary<string, string?> { ["Storage:DatabasePath"] = Path.Combine(directory, "data", "system.db") };
        await using var first = await InProcessSilo.StartAsync(Path.Combine(directory, "a"), shared);
        await using var second = await InProcessSilo.StartAsync(Path.Combine(directory, "b"), shared);

        var management = first.Grains.GetGrain<IManagementGrain>(0);
        var active = await management.GetHosts(onlyActive: true);
        Assert.Equal(2, active.Count);

        // Placed on the second silo by calling it from there, then called from the first.
        var grain = second.Grains.GetGrain<ILocationGrain>("placed-on-second");
        var home = await grain.WhereAsync();
        var seenFromFirst = await first.Grains.GetGrain<ILocationGrain>("placed-on-second").WhereAsync();
        Assert.Equal(home, seenFromFirst);
        Assert.NotEqual(await first.Grains.GetGrain<ILocationGrain>("placed-on-first").WhereAsync(), home);

        // The membership rows are in our SQLite table.
        await using var connection = new SqliteConnection($"Data Source={shared["Storage:DatabasePath"]};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM OrleansMembershipTable WHERE Status = 3";
        Assert.Equal(2L, await command.ExecuteScalarAsync());
    }
}
