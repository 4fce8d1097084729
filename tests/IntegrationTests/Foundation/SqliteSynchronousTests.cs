using Assistant.IntegrationTests.Infrastructure;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>
/// Storage:SqliteSynchronous reaches every connection the service opens (grain state and our own
/// tables share one data source), and a conversation written under one setting reads under the other.
/// </summary>
public sealed class SqliteSynchronousTests
{
    [Fact]
    public async Task Connections_wait_for_the_disk_on_every_commit_unless_the_setting_says_normal()
    {
        var directory = TestPaths.NewTempDirectory("synchronous");
        await using (var full = await InProcessSilo.StartAsync(directory))
        {
            Assert.Equal(2, await SynchronousAsync(full)); // FULL
            await full.Http.SendAsync("kept", "written with full");
        }

        await using var normal = await InProcessSilo.StartAsync(directory, new Dictionary<string, string?> { ["Storage:SqliteSynchronous"] = "Normal" });
        Assert.Equal(1, await SynchronousAsync(normal)); // NORMAL
        await normal.Http.SendAsync("kept", "written with normal");
        var texts = (await normal.Http.GetSessionAsync("kept")).GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("role").GetString() == "user").Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Equal(["written with full", "written with normal"], texts);
    }

    private static async Task<long> SynchronousAsync(InProcessSilo silo)
    {
        await using var connection = await silo.Services.GetRequiredService<Database>().DataSource.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
