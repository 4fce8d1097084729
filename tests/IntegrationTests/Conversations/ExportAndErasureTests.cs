using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Memory;

namespace Assistant.IntegrationTests.Conversations;

/// <summary>
/// A user sees and erases what is kept about them: <c>/export</c> sends the conversation as a
/// document; <c>/deletemydata confirm</c> erases it so that the SQLite file's bytes no longer hold its words.
/// </summary>
[Collection(ChatChoicesCollection.Name)]
public sealed class ExportAndErasureTests(ChatChoicesFixture fixture) : IDisposable
{
    private const long Bob = TelegramSiloFixture.Admin;
    private const string Secret = "Zyxquorpel";

    public void Dispose() => fixture.Model.Reset();

    [Fact]
    public async Task Export_sends_the_conversation_and_deletemydata_confirm_leaves_none_of_its_words_in_the_sqlite_file()
    {
        fixture.Model.Enqueue(new FakeResponse.ToolCall("remember", $$"""{"note":"Bob's secret word is {{Secret}}"}"""), new FakeResponse.Text("Kept it."));
        await AskAsync($"remember my secret word {Secret}");
        await AskAsync($"what does {Secret} mean?");
        Assert.Contains(NoteOwner.TelegramUser(Bob), await NoteHoldersAsync());

        var (exported, document) = await AskForDocumentAsync("/export");
        Assert.Contains("4 messages and your 1 notes", exported);
        Assert.Matches(@"^conversation-\d{4}-\d{2}-\d{2}\.md$", document.FileName);
        var markdown = Encoding.UTF8.GetString(document.Content);
        Assert.Contains($"remember my secret word {Secret}", markdown);
        Assert.Contains($"- Bob's secret word is {Secret}", markdown);
        Assert.True(FileHolds(Secret), "the words are in the database before the erasure (else the test proves nothing)");

        Assert.Contains("Send /deletemydata confirm", await AskAsync("/deletemydata"));
        Assert.True(FileHolds(Secret), "asking alone erases nothing");
        var report = await AskAsync("/deletemydata confirm");
        Assert.Contains("Erased: 4 messages", report);
        Assert.Contains("1 notes", report);

        Assert.False(FileHolds(Secret), "the erased words are still in the SQLite file's bytes");
        Assert.DoesNotContain(NoteOwner.TelegramUser(Bob), await NoteHoldersAsync());
        Assert.Contains("I keep no notes about you", await AskAsync("/memory"));
        await AskAsync("hello again");
        var fresh = fixture.Model.Requests.Last(r => r.LastUserText == "hello again");
        Assert.Equal(["system", "user"], fresh.Messages.Select(m => m.Role));
        Assert.DoesNotContain(Secret, fresh.Messages[0].Content);
        await LogFiles.AssertNeverLoggedAsync(fixture.Silo.Directory, Secret, "Session tg:42: erased on request");
    }

    private async Task<IReadOnlyList<string>> NoteHoldersAsync() =>
        (await fixture.Silo.Grains.GetGrain<INoteHoldersGrain>(0).ReadAsync(-1))!.Owners;

    [Fact]
    public async Task Over_HTTP_export_is_markdown_and_erase_all_reports_what_went_and_any_other_value_is_400()
    {
        var session = $"erase-{Guid.NewGuid():N}";
        using var admin = fixture.AdminClient();
        using (var sent = await admin.PostAsJsonAsync($"/sessions/{session}/messages", new { text = $"my code is {Secret}" }))
        {
            sent.EnsureSuccessStatusCode();
        }

        using var export = await admin.GetAsync($"/sessions/{session}/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/markdown", export.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"my code is {Secret}", await export.Content.ReadAsStringAsync());

        using var bad = await admin.DeleteAsync($"/sessions/{session}?erase=everything");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("erase", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));

        using var erased = await admin.DeleteAsync($"/sessions/{session}?erase=all");
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        var report = await erased.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, report.GetProperty("messages").GetInt32());
        Assert.True(report.GetProperty("directory_row").GetBoolean());

        using var after = await admin.GetAsync($"/sessions/{session}/export");
        Assert.DoesNotContain(Secret, await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_message_sent_after_deletemydata_confirm_is_answered_in_the_fresh_conversation()
    {
        const long group = -4_200_001;
        var release = new TaskCompletionSource();
        fixture.Model.Enqueue(new FakeResponse.Held(release.Task, "a slow answer"));
        var slow = fixture.Telegram.SendUserMessage(group, Bob, $"@{Fakes.Telegram.FakeTelegramServer.BotUsername} a slow question about {Secret}", group: true);
        await fixture.Model.WaitForRequestsAsync(1);
        var confirm = fixture.Telegram.SendUserMessage(group, Bob, "/deletemydata confirm", group: true);
        var after = fixture.Telegram.SendUserMessage(group, Bob, $"@{Fakes.Telegram.FakeTelegramServer.BotUsername} a question after the erasure", group: true);
        await Eventually.WaitAsync(async () => (await Admin().GetTelegramChatAsync(group)).GetProperty("telegram_pending").GetInt32() == 3, "the three messages waiting", TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(20));
        release.SetResult();

        await fixture.Telegram.WaitUntilAsync(group, m => m.Any(x => x.ReplyTo == after), "the answer to the message sent after the erasure", TimeSpan.FromSeconds(30));
        Assert.Contains("Erased: 2 messages", fixture.Telegram.RepliesTo(group, confirm)[^1].Text);
        await SessionClient.WaitUntilSettledAsync(Admin(), group);
        Assert.Equal(["a question after the erasure", "Echo: a question after the erasure"], SessionClient.Texts(await Admin().GetTelegramChatAsync(group)).Select(t => t.Trim()));
    }

    private HttpClient Admin() => fixture.AdminClient();

    /// <summary>Whether the database file or its write-ahead log holds <paramref name="word"/>, read as bytes beside the running silo.</summary>
    private bool FileHolds(string word)
    {
        var needle = Encoding.UTF8.GetBytes(word);
        var database = Path.Combine(fixture.Silo.Directory, "data", "system.db");
        return new[] { database, database + "-wal" }.Where(File.Exists).Any(path =>
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            file.CopyTo(copy);
            return copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(needle) >= 0;
        });
    }

    private async Task<string> AskAsync(string text)
    {
        var message = fixture.Telegram.SendUserMessage(Bob, Bob, text);
        await fixture.Telegram.WaitUntilAsync(Bob, m => m.Any(x => x.ReplyTo == message && x.Document is null), $"the reply to '{text}'", TimeSpan.FromSeconds(30));
        return fixture.Telegram.RepliesTo(Bob, message).Last(m => m.Document is null).Text;
    }

    private async Task<(string Reply, Fakes.Telegram.FakeDocument Document)> AskForDocumentAsync(string text)
    {
        var message = fixture.Telegram.SendUserMessage(Bob, Bob, text);
        await fixture.Telegram.WaitUntilAsync(Bob, m => m.Count(x => x.ReplyTo == message) >= 2, $"the document and reply to '{text}'", TimeSpan.FromSeconds(30));
        var replies = fixture.Telegram.RepliesTo(Bob, message);
        return (replies.Last(m => m.Document is null).Text, replies.Single(m => m.Document is not null).Document!);
    }
}
