using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;
using Assistant.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>Storage:StateFormat: what is written, and that a change of format loses no conversation.</summary>
public sealed class StateFormatTests
{
    [Fact]
    public async Task Switching_between_json_and_binary_state_keeps_every_conversation()
    {
        var directory = TestPaths.NewTempDirectory("state-format");
        await using (var json = await InProcessSilo.StartAsync(directory, new Dictionary<string, string?> { ["Storage:StateFormat"] = "Json" }))
        {
            await json.Http.SendAsync("kept", "written as json");
        }

        Assert.Equal((byte)'{', await FirstPayloadByteAsync(directory));

        await using (var binary = await InProcessSilo.StartAsync(directory))
        {
            Assert.Equal(["written as json"], UserTexts(await binary.Http.GetSessionAsync("kept")));
            await binary.Http.SendAsync("kept", "written as binary");
        }

        Assert.NotEqual((byte)'{', await FirstPayloadByteAsync(directory));

        await using var back = await InProcessSilo.StartAsync(directory, new Dictionary<string, string?> { ["Storage:StateFormat"] = "Json" });
        Assert.Equal(["written as json", "written as binary"], UserTexts(await back.Http.GetSessionAsync("kept")));
    }

    [Fact]
    public void The_binary_format_is_byte_for_byte_what_orleans_own_storage_serializer_writes()
    {
        var orleans = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var state = new ChatSessionState();
        for (var i = 0; i < 100; i++)
        {
            state.Messages.Add(ChatEntry.Create(i % 2 == 0 ? ChatEntry.User : ChatEntry.Assistant, $"message {i} {new string('x', i * 7)} ünïcødé", DateTimeOffset.UnixEpoch.AddMinutes(i)));
        }

        state.RecentUpdateIds.AddRange([1, 2, 3]);
        state.Statistics.Count(state.Statistics.MessagesByKind, "text");

        var ours = new BinaryStateSerializer(orleans).Serialize(state).ToArray();
        var theirs = new OrleansGrainStorageSerializer(orleans).Serialize(state).ToArray();
        Assert.Equal(theirs, ours);

        var read = new BinaryStateSerializer(orleans).Deserialize<ChatSessionState>(BinaryData.FromBytes(theirs))!;
        Assert.Equal(state.Messages.Select(m => (m.Role, m.Text, m.Time)), read.Messages.Select(m => (m.Role, m.Text, m.Time)));
        Assert.Equal([1L, 2, 3], read.RecentUpdateIds);
    }

    private static List<string> UserTexts(System.Text.Json.JsonElement session) =>
        [.. session.GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("role").GetString() == "user").Select(m => m.GetProperty("text").GetString()!)];

    /// <summary>The first byte of the session's stored state.</summary>
    private static async Task<byte> FirstPayloadByteAsync(string directory)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "data", "system.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM grain_state WHERE grain_key = 'api:kept' AND state_name = 'conversation'";
        var payload = (byte[])(await command.ExecuteScalarAsync())!;
        return payload[0];
    }
}
