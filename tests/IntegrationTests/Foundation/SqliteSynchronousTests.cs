using Assistant.IntegrationTests.Infrastructure;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>
/// Storage:SqliteSynchronous reaches every connection of the one data source the Orleans providers
/// and our own tables share, however it is opened (opened by the source, or created and then
/// opened by its user), and a conversation written under one setting reads under the other.
/// </summary>
public sealed class SqliteSynchronousTests
{
    [Fact]
    public async Task Connections_wait_for_the_disk_on_every_commit_unless_the_setting_says_normal()
    {
        var directory = TestPaths.NewTempDirectory("synchronous");
        await using (var full = await InProcessSilo.StartAsync(directory))
        {
            Assert.Equal((2, 2), await SynchronousAsync(full)); // FULL (SQLite's default too: the busy timeout shows the pragmas ran)
            await full.Http.SendAsync("kept", "written with full");
        }

        await using var normal = await InProcessSilo.StartAsync(directory, new Dictionary<string, string?> { ["Storage:SqliteSynchronous"] = "Normal" });
        Assert.Equal((1, 1), await SynchronousAsync(normal)); // NORMAL
        await normal.Http.SendAsync("kept", "written with normal");
        var texts = (await normal.Http.GetSessionAsync("kept")).GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("role").GetString() == "user").Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Equal(["written with full", "written with normal"], texts);
    }

    /// <summary><c>PRAGMA synchronous</c> on a connection opened by the source and on one created, then opened; each checked to carry the busy timeout.</summary>
    private static async Task<(long Opened, long Created)> SynchronousAsync(InProcessSilo silo)
    {
        var source = silo.Services.GetRequiredService<Database>().DataSource;
        long opened, created;
        await using (var connection = await source.OpenConnectionAsync())
        {
            opened = await ReadAsync(connection);
        }

        // A pooled connection keeps its pragmas: with the pool empty, the one created below is new.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using (var connection = source.CreateConnection())
        {
            await connection.OpenAsync();
            created = await ReadAsync(connection);
        }

        return (opened, created);
    }

    private static async Task<long> ReadAsync(System.Data.Common.DbConnection connection)
    {
        await using var timeout = connection.CreateCommand();
        timeout.CommandText = "PRAGMA busy_timeout";
        Assert.NotEqual(0L, (long)(await timeout.ExecuteScalarAsync())!);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
