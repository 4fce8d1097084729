using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Assistant.IntegrationTests.Pipeline;

/// <summary>
/// A write of a session's state that finds the row written by someone else (another activation of
/// the session, for a moment while a silo is being lost) means this activation no longer owns the
/// conversation: it stops and deactivates, and the next activation starts from what is stored,
/// rather than reading the row again and carrying on beside the other one.
/// </summary>
public sealed class VersionConflictTests
{
    private const long Chat = 78_101;

    [Fact]
    public async Task A_version_conflict_deactivates_the_session_and_the_next_activation_answers_from_what_is_stored_each_message_once()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(model);
        foreach (var (name, value) in TelegramSiloFixture.Settings(telegram))
        {
            settings[name] = value;
        }

        var faults = new StorageFaults();
        await using var silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("conflict"), settings, faults.Install);
        await telegram.WaitForCallsAsync("getUpdates", 1);
        var registry = silo.Services.GetRequiredService<LocalSessionRegistry>();
        var key = SessionKey.Telegram(Chat);

        // The exchange's write finds the conversation written by another activation just before.
        faults.ConflictWrites("conversation", key);
        var first = telegram.SendUserMessage(Chat, TelegramSiloFixture.Member, "first question");
        await Eventually.WaitAsync(() => Task.FromResult(telegram.RepliesTo(Chat, first).Count > 0), "the first answer", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));

        // This activation gives the conversation up: it leaves the registry, and says why.
        await Eventually.WaitAsync(() => Task.FromResult(registry.Snapshots.All(s => s.SessionId != key)), "the session to deactivate", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(20));
        var log = Path.Combine(silo.Directory, "logs", "system.log");
        await Eventually.WaitAsync(() => Task.FromResult(ScriptedService.ReadShared(log).Contains($"Session {key}: its stored state was written by another activation (version conflict)", StringComparison.Ordinal)), "the conflict in the log", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

        // The next message wakes a new activation, which answers it; nothing is answered twice.
        var second = telegram.SendUserMessage(Chat, TelegramSiloFixture.Member, "second question");
        await Eventually.WaitAsync(() => Task.FromResult(telegram.RepliesTo(Chat, second).Count > 0), "the second answer", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        var grain = silo.Grains.GetGrain<IChatSessionGrain>(key);
        await Eventually.WaitAsync(async () => (await grain.GetAsync()).TelegramPending == 0, "the second answer to be recorded", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        var view = await grain.GetAsync();
        Assert.Single(telegram.RepliesTo(Chat, first));
        Assert.Single(telegram.RepliesTo(Chat, second));
        Assert.Single(view.Messages, m => m.Role == "user" && m.Text == "first question");
        Assert.Single(view.Messages, m => m.Role == "user" && m.Text == "second question");
    }

    [Fact]
    public async Task After_a_version_conflict_an_HTTP_message_waiting_its_turn_is_told_to_send_again_at_once_and_the_session_answers_afterwards()
    {
        await using var model = await FakeOpenAiServer.StartAsync();
        var faults = new StorageFaults();
        await using var silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("conflict-http"), ModelSiloFixture.Settings(model), faults.Install);
        var key = SessionKey.Api("conflicted");
        var session = silo.Grains.GetGrain<IChatSessionGrain>(key);

        // The first answer takes a moment; the second message waits behind it.
        model.Delay = TimeSpan.FromMilliseconds(500);
        faults.ConflictWrites("conversation", key);
        var first = session.AskAsync(new ChatRequest("first"));
        await model.WaitForRequestsAsync(1);
        var second = session.AskAsync(new ChatRequest("second"));

        // The first exchange's write finds another writer: both callers hear "send again", the
        // waiting one too, rather than waiting on an activation that starts no more turns.
        await Assert.ThrowsAsync<SessionBusyException>(() => first.WaitAsync(TimeSpan.FromSeconds(20)));
        await Assert.ThrowsAsync<SessionBusyException>(() => second.WaitAsync(TimeSpan.FromSeconds(20)));

        // Sent again, the message is answered by the next activation, from what is stored.
        model.Delay = TimeSpan.Zero;
        var again = await Eventually.UntilAsync<ChatReply?>(
            async () =>
            {
                try
                {
                    return await session.AskAsync(new ChatRequest("second"));
                }
                catch (SessionBusyException)
                {
                    return null; // the old activation is still winding down
                }
            },
            reply => reply is not null,
            "the message sent again to be answered",
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(100));
        Assert.Null(again!.Failure);
        Assert.Equal("Echo: second", again.Reply);
    }
}
