using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;
using Npgsql;

namespace Assistant.IntegrationTests.Conversations;

/// <summary><c>DELETE /sessions/{id}?erase=all</c> on PostgreSQL: afterwards no row holds the conversation's words.</summary>
public sealed class ErasureOnPostgresTests
{
    private const string Secret = "Plumbrovix";

    [Fact]
    public async Task Erase_all_leaves_no_row_holding_the_conversations_words()
    {
        await using var model = await FakeOpenAiServer.StartAsync();
        var directory = TestPaths.NewTempDirectory("erase-pg");
        var settings = await TestStorage.SettingsAsync(StorageKind.PostgreSql, directory, "erase-pg");
        foreach (var (key, value) in ModelSiloFixture.Settings(model))
        {
            settings[key] = value;
        }

        await using var silo = await InProcessSilo.StartAsync(directory, settings);
        var session = $"pg-{Guid.NewGuid():N}";
        model.Enqueue(new FakeResponse.ToolCall("remember", $$"""{"note":"the code word is {{Secret}}"}"""), new FakeResponse.Text("Kept."));
        await silo.Http.SendAsync(session, $"remember the code word {Secret}");
        await silo.Http.SendAsync(session, $"what is {Secret}?");
        Assert.True(await RowsHoldingAsync(settings, Secret) > 0, "the words are stored before the erasure (else the test proves nothing)");

        using var erased = await silo.Http.DeleteAsync($"/sessions/{session}?erase=all");
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        var report = await erased.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((4, 1), (report.GetProperty("messages").GetInt32(), report.GetProperty("notes").GetInt32()));

        Assert.Equal(0, await RowsHoldingAsync(settings, Secret));
        await silo.Http.SendAsync(session, "hello again");
        var fresh = model.Requests.Last(r => r.LastUserText == "hello again");
        Assert.Equal(["system", "user"], fresh.Messages.Select(m => m.Role));
        await LogFiles.AssertNeverLoggedAsync(directory, Secret, $"Session api:{session}: erased on request");
    }

    /// <summary>Rows of the state and our tables whose stored bytes or text contain <paramref name="word"/>.</summary>
    private static async Task<long> RowsHoldingAsync(IReadOnlyDictionary<string, string?> settings, string word)
    {
        await using var connection = new NpgsqlConnection(settings["Storage:ConnectionString"]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM grain_state WHERE position(convert_to(@word, 'UTF8') IN payload) > 0)
                 + (SELECT count(*) FROM telegram_dead_letters WHERE text LIKE '%' || @word || '%')
                 + (SELECT count(*) FROM chat_sessions WHERE session_id LIKE '%' || @word || '%')
            """, connection);
        command.Parameters.AddWithValue("word", word);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
