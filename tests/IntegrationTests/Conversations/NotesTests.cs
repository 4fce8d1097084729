using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Memory;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;

namespace Assistant.IntegrationTests.Conversations;

/// <summary>
/// Notes a user asks the assistant to keep: the model's <c>remember</c> and <c>forget</c> tools,
/// bound to the person it answers, sent in that person's requests only, listed by <c>/memory</c>.
/// </summary>
[Collection(ChatChoicesCollection.Name)]
public sealed class NotesTests(ChatChoicesFixture fixture) : IDisposable
{
    private const long Ann = TelegramSiloFixture.Member;
    private const long Bob = TelegramSiloFixture.Admin;
    private static long _nextChat = -4_100_000; // groups have negative ids
    private readonly long _group = Interlocked.Decrement(ref _nextChat);

    public void Dispose() => fixture.Model.Reset();

    [Fact]
    public async Task A_note_one_user_keeps_in_a_shared_group_reaches_only_that_users_requests()
    {
        fixture.Model.Enqueue(new FakeResponse.ToolCall("remember", """{"note":"Ann is vegetarian"}"""));
        await AskAsync(_group, Ann, "please remember that I am vegetarian");
        var remembered = fixture.Model.Requests.Where(r => r.LastUserText.Trim() == "please remember that I am vegetarian").ToList();
        Assert.Contains("remember", remembered[0].Tools);
        Assert.Contains("forget", remembered[0].Tools);
        Assert.Contains(remembered[^1].Messages, m => m.Role == "tool" && m.Content!.Contains("Kept.", StringComparison.Ordinal));

        await AskAsync(_group, Bob, "what should I cook tonight, Bob asks");
        Assert.DoesNotContain("vegetarian", SystemOf("what should I cook tonight, Bob asks"));

        await AskAsync(_group, Ann, "what should I cook tonight, Ann asks");
        Assert.Contains("- Ann is vegetarian", SystemOf("what should I cook tonight, Ann asks"));

        // Her notes are hers: the group is not shown them; she is, in private, and Bob has none.
        Assert.Contains("only in a private chat", await AskAsync(_group, Ann, "/memory"));
        Assert.Contains("1. Ann is vegetarian", await AskAsync(Ann, Ann, "/memory"));
        Assert.Contains("I keep no notes about you", await AskAsync(Bob, Bob, "/memory"));

        // The same notes follow her into her private chat with the bot.
        await AskAsync(Ann, Ann, "and for lunch?");
        Assert.Contains("- Ann is vegetarian", SystemOf("and for lunch?"));
    }

    [Fact]
    public async Task Notes_kept_before_the_set_of_holders_existed_are_found_by_its_first_activation()
    {
        var owner = NoteOwner.TelegramUser(7_700_123);
        Assert.Equal("Kept.", await fixture.Silo.Grains.GetGrain<INotesGrain>(owner).RememberAsync("likes plums"));
        var holders = fixture.Silo.Grains.GetGrain<INoteHoldersGrain>(0);
        Assert.Contains(owner, (await holders.ReadAsync(-1))!.Owners);

        // The database as a build before the set left it: notes, and no set.
        await using (var connection = await fixture.Silo.Services.GetRequiredService<Database>().OpenAsync())
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "DELETE FROM grain_state WHERE state_name = 'note-holders'";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        await holders.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        Assert.Contains(owner, (await holders.ReadAsync(-1))!.Owners);
        Assert.Equal(1, await fixture.Silo.Grains.GetGrain<INotesGrain>(owner).ClearAsync());
        Assert.DoesNotContain(owner, (await holders.ReadAsync(-1))!.Owners);
    }

    [Fact]
    public async Task Forget_drops_a_note_and_memory_clear_drops_them_all()
    {
        fixture.Model.Enqueue(
            new FakeResponse.ToolCall("remember", """{"note":"likes green tea"}"""), new FakeResponse.Text("Kept it."),
            new FakeResponse.ToolCall("remember", """{"note":"lives in Oslo"}"""), new FakeResponse.Text("Kept it."),
            new FakeResponse.ToolCall("forget", """{"note":"TEA"}"""), new FakeResponse.Text("Forgotten."));
        await AskAsync(_group, Ann, "remember I like green tea");
        await AskAsync(_group, Ann, "remember I live in Oslo");
        await AskAsync(_group, Ann, "forget the tea");
        Assert.Contains(fixture.Model.Requests, r => r.Messages.Any(m => m.Role == "tool" && m.Content!.Contains("Dropped 1 note(s).", StringComparison.Ordinal)));

        var list = await AskAsync(Ann, Ann, "/memory");
        Assert.Contains("lives in Oslo", list);
        Assert.DoesNotContain("green tea", list);

        Assert.Contains("Dropped all", await AskAsync(Ann, Ann, "/memory clear"));
        Assert.Contains("I keep no notes about you", await AskAsync(Ann, Ann, "/memory"));
    }

    private string SystemOf(string question) =>
        fixture.Model.Requests.Last(r => r.LastUserText.Trim() == question).Messages.First(m => m.Role == "system").Content!;

    private async Task<string> AskAsync(long chat, long user, string text)
    {
        var group = chat < 0;
        var addressed = group && !text.StartsWith('/') ? $"@{Fakes.Telegram.FakeTelegramServer.BotUsername} {text}" : text; // in a group the bot answers when addressed
        var message = fixture.Telegram.SendUserMessage(chat, user, addressed, group);
        await fixture.Telegram.WaitUntilAsync(chat, m => m.Any(x => x.ReplyTo == message), $"the reply to '{text}'", TimeSpan.FromSeconds(30));
        return fixture.Telegram.RepliesTo(chat, message)[^1].Text;
    }
}
