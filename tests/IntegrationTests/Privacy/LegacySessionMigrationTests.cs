using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;
using Assistant.Storage;
using Assistant.Telegram;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Assistant.IntegrationTests.Privacy;

/// <summary>
/// Conversations stored before the key spaces (grain type <c>chatsession</c>, states <c>session</c>
/// and <c>inbox</c>, bare keys) are moved at start: a Telegram chat's into <c>tg:</c>, with its waiting
/// message answered once; an API session's into <c>api:</c>; nothing is left under the old keys.
/// </summary>
public sealed class LegacySessionMigrationTests
{
    private const long Chat = 95_101;

    [Fact]
    public async Task Conversations_stored_under_bare_keys_move_into_their_key_spaces_at_start()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(model);
        foreach (var (key, value) in TelegramSiloFixture.Settings(telegram))
        {
            settings[key] = value;
        }

        var directory = TestPaths.NewTempDirectory("legacy-keys");
        const int waitingMessage = 500;
        var then = DateTimeOffset.UtcNow.AddHours(-1);
        await using (var before = await InProcessSilo.StartAsync(directory))
        {
            // What a build before the key spaces stored: the states under the old grain type and bare keys...
            var storage = before.Services.GetRequiredKeyedService<IGrainStorage>(LegacyStorage.Name);
            var chat = new ChatSessionState { RecentUpdateIds = [11] };
            chat.Messages.Add(ChatEntry.Create(ChatEntry.User, "legacy question", then));
            chat.Messages.Add(ChatEntry.Create(ChatEntry.Assistant, "legacy answer", then));
            chat.Statistics.CreatedAt = then;
            chat.Statistics.MessagesReceived = 1;
            var inbox = new TelegramInboxState();
            inbox.Items.Add(new TelegramInboxItem
            {
                Message = new TelegramIncoming(12, Chat, waitingMessage, TelegramSiloFixture.Member, "Ann", false, TelegramContent.Text, "still waiting", null, then),
                AcceptedAt = then,
            });
            await storage.WriteStateAsync("session", GrainId.Create("chatsession", "95101"), new GrainState<ChatSessionState>(chat));
            await storage.WriteStateAsync("inbox", GrainId.Create("chatsession", "95101"), new GrainState<TelegramInboxState>(inbox));
            var api = new ChatSessionState();
            api.Messages.Add(ChatEntry.Create(ChatEntry.User, "from the api", then));
            await storage.WriteStateAsync("session", GrainId.Create("chatsession", "web-1"), new GrainState<ChatSessionState>(api));

            // An API id that itself begins with "legacy:", and a context the cleanup had cleared.
            var odd = new ChatSessionState();
            odd.Messages.Add(ChatEntry.Create(ChatEntry.User, "odd id", then));
            await storage.WriteStateAsync("session", GrainId.Create("chatsession", "legacy:odd"), new GrainState<ChatSessionState>(odd));
            var stale = new ChatSessionState();
            stale.Messages.Add(ChatEntry.Create(ChatEntry.User, "cleared before the upgrade", then.AddDays(-3)));
            stale.Statistics.LastActiveAt = then.AddDays(-3);
            await storage.WriteStateAsync("session", GrainId.Create("chatsession", "stale"), new GrainState<ChatSessionState>(stale));

            // ...their index rows, and the schema from before migration 0008.
            var database = before.Services.GetRequiredService<Database>();
            await ExecuteAsync(database, """
                INSERT INTO chat_sessions (session_id, created_at, last_active_at, message_count, pending_since)
                VALUES ('95101', '2026-11-01 10:00:00', '2026-11-01 10:00:00', 2, '2026-11-01 10:00:00'),
                       ('web-1', '2026-11-01 10:00:00', '2026-11-01 10:00:00', 1, NULL),
                       ('legacy:odd', '2026-11-01 10:00:00', '2026-11-01 10:00:00', 1, NULL)
                """);
            await ExecuteAsync(database, $"""
                INSERT INTO chat_sessions (session_id, created_at, last_active_at, message_count, context_cleared_at)
                VALUES ('stale', '2026-11-01 10:00:00', '2026-11-01 10:00:00', 0, '{DateTime.UtcNow.AddDays(-1):yyyy-MM-dd HH:mm:ss}')
                """);
            await ExecuteAsync(database, """
                INSERT INTO telegram_dead_letters (session_id, update_id, chat_id, user_id, content, text, attempts, failure, stage, created_at)
                VALUES ('95101', 3, 95101, 1001, 'Text', 'given up before', 5, 'timeout', 'answer', '2026-11-01 10:00:00')
                """);
            await ExecuteAsync(database, "DELETE FROM schema_migrations WHERE version = 8");
        }

        await using var after = await InProcessSilo.StartAsync(directory, settings);
        var afterDatabase = after.Services.GetRequiredService<Database>();
        await Eventually.WaitAsync(async () => await ScalarAsync(afterDatabase, "SELECT count(*) FROM chat_sessions WHERE session_id LIKE 'legacy:%'") == 0, "the legacy rows to be moved", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));

        // The chat's waiting message is answered once, in the chat, with its old history.
        await telegram.WaitUntilAsync(Chat, m => m.Any(x => x.ReplyTo == waitingMessage), "the answer to the message waiting at the upgrade", TimeSpan.FromSeconds(30));
        var tg = after.Grains.GetGrain<IChatSessionGrain>(SessionKey.Telegram(Chat));
        await Eventually.WaitAsync(async () => (await tg.GetAsync()).TelegramPending == 0, "the answer to be recorded", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        Assert.Equal(["legacy question", "legacy answer", "still waiting", "Echo: still waiting"], (await tg.GetAsync()).Messages.Select(m => m.Text));
        Assert.Single(telegram.RepliesTo(Chat, waitingMessage));
        Assert.Contains(model.Requests.Single().Messages, m => m.Content == "legacy question");

        // The API's session is the API's, and the chat is not reachable through it.
        Assert.Equal(["from the api"], SessionClient.Texts(await after.Http.GetSessionAsync("web-1")));
        Assert.Empty(SessionClient.Texts(await after.Http.GetSessionAsync("95101")));
        Assert.Equal(["odd id"], SessionClient.Texts(await after.Http.GetSessionAsync("legacy:odd")));
        Assert.Empty(SessionClient.Texts(await after.Http.GetSessionAsync("stale")));
        Assert.Equal(4, await ScalarAsync(afterDatabase, "SELECT count(*) FROM chat_sessions WHERE session_id IN ('tg:95101', 'api:web-1', 'api:legacy:odd', 'api:stale')"));
        Assert.Equal(1, await ScalarAsync(afterDatabase, "SELECT count(*) FROM telegram_dead_letters WHERE session_id = 'tg:95101'"));

        // Nothing is left under the old keys.
        var storageAfter = after.Services.GetRequiredKeyedService<IGrainStorage>(LegacyStorage.Name);
        Assert.False(await StoredAsync<ChatSessionState>(storageAfter, "session", "95101"));
        Assert.False(await StoredAsync<TelegramInboxState>(storageAfter, "inbox", "95101"));
        Assert.False(await StoredAsync<ChatSessionState>(storageAfter, "session", "web-1"));
        Assert.False(await StoredAsync<ChatSessionState>(storageAfter, "session", "legacy:odd"));
    }

    private static async Task<bool> StoredAsync<T>(IGrainStorage storage, string state, string legacyKey)
        where T : new()
    {
        var read = new GrainState<T>(new T());
        await storage.ReadStateAsync(state, GrainId.Create("chatsession", legacyKey), read);
        return read.RecordExists;
    }

    private static async Task ExecuteAsync(Database database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(Database database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
