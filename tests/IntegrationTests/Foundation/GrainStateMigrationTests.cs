using System.Net;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;
using Assistant.Storage;
using Assistant.Telegram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Storage;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>
/// Schema 0011 (and 0012's move of the Telegram delivery record below): the states an earlier build stored through the Orleans ADO.NET provider
/// (<c>OrleansStorage</c>) are moved into <c>grain_state</c> at start, with their versions, and
/// removed from the old table; the conversation goes on from where it was. Conversations from
/// before the key spaces stay there for <see cref="LegacySessionGrain"/>, whatever their key.
/// </summary>
public sealed class GrainStateMigrationTests
{
    private static readonly string[] Legacy = ["95102", "web-2"];

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task States_stored_by_the_Orleans_provider_are_moved_into_grain_state_at_start(StorageKind kind)
    {
        var directory = TestPaths.NewTempDirectory("state-move");
        var settings = await TestStorage.SettingsAsync(kind, directory, "state-move");
        var then = DateTimeOffset.UtcNow.AddHours(-1);
        GrainId channel;
        await using (var before = await InProcessSilo.StartAsync(directory, settings))
        {
            // The provider the earlier build stored everything with, configured as it was, on
            // OrleansStorage as it was before 0011 (which refuses such writes from then on).
            await using (var database = TestStorage.Database(settings))
            {
                await ExecuteAsync(database, kind == StorageKind.Sqlite
                    ? "DROP TRIGGER grain_state_moved_insert; DROP TRIGGER grain_state_moved_update"
                    : "DROP TRIGGER grain_state_moved ON OrleansStorage");
            }

            var old = before.Services.GetRequiredKeyedService<IGrainStorage>(LegacyStorage.Name);
            var chat = new ChatSessionState();
            chat.Messages.Add(ChatEntry.Create(ChatEntry.User, "asked before the upgrade", then));
            chat.Messages.Add(ChatEntry.Create(ChatEntry.Assistant, "answered before the upgrade", then));
            chat.Statistics.CreatedAt = then;
            var stored = new GrainState<ChatSessionState>(chat);
            await old.WriteStateAsync("conversation", GrainId.Create("session", "api:moved"), stored);
            await old.WriteStateAsync("conversation", GrainId.Create("session", "api:moved"), stored);
            Assert.Equal("2", stored.ETag);

            // A grain with an integer key (0, as all of ours): the Telegram channel, not started here.
            channel = before.Grains.GetGrain<ITelegramChannelGrain>(0).GetGrainId();
            await old.WriteStateAsync("channel", channel, new GrainState<TelegramChannelState>(new TelegramChannelState { Offset = 4242 }));

            // Conversations from before the key spaces, under bare keys: one the provider stored as
            // a number (it reads as hex), one as text. They stay for LegacySessionGrain.
            foreach (var key in Legacy)
            {
                await old.WriteStateAsync("session", GrainId.Create("chatsession", key), new GrainState<ChatSessionState>(chat));
            }
        }

        // The database as that build left it: schema 0011 not applied.
        await using (var database = TestStorage.Database(settings))
        {
            await ExecuteAsync(database, "DELETE FROM schema_migrations WHERE version = 11");
        }

        await using var after = await InProcessSilo.StartAsync(directory, settings);
        var store = after.Services.GetRequiredKeyedService<IGrainStorage>("Default");
        var channelState = new GrainState<TelegramChannelState>(new TelegramChannelState());
        await store.ReadStateAsync("channel", channel, channelState);
        Assert.Equal((4242L, "1"), (channelState.State!.Offset, channelState.ETag));

        var moved = new GrainState<ChatSessionState>(new ChatSessionState());
        await store.ReadStateAsync("conversation", GrainId.Create("session", "api:moved"), moved);
        Assert.Equal("2", moved.ETag);

        await using (var database = TestStorage.Database(settings))
        {
            Assert.Equal(2L, Convert.ToInt64(await ScalarAsync(database, "SELECT count(*) FROM OrleansStorage"), System.Globalization.CultureInfo.InvariantCulture));
        }

        var legacy = after.Services.GetRequiredKeyedService<IGrainStorage>(LegacyStorage.Name);
        foreach (var key in Legacy)
        {
            var kept = new GrainState<ChatSessionState>(new ChatSessionState());
            await legacy.ReadStateAsync("session", GrainId.Create("chatsession", key), kept);
            Assert.Equal("asked before the upgrade", kept.State!.Messages[0].Text);
        }

        // A silo of the older build started again would write there: refused, loudly.
        var refused = await Assert.ThrowsAnyAsync<Exception>(() =>
            legacy.WriteStateAsync("conversation", GrainId.Create("session", "api:late"), new GrainState<ChatSessionState>(new ChatSessionState())));
        Assert.Contains("grain state is in grain_state since schema 0011: this silo runs an older build", refused.ToString());

        // The conversation goes on from where it was.
        await after.Http.SendAsync("moved", "asked after the upgrade");
        var texts = (await after.Http.GetSessionAsync("moved")).GetProperty("messages").EnumerateArray()
            .Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Equal(["asked before the upgrade", "answered before the upgrade", "asked after the upgrade"], texts.Take(3));
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task The_move_waits_until_no_silo_of_the_older_build_is_active(StorageKind kind)
    {
        var directory = TestPaths.NewTempDirectory("state-move-active");
        var settings = await TestStorage.SettingsAsync(kind, directory, "state-move-active");
        await using var running = await InProcessSilo.StartAsync(directory, settings);

        // A second silo finds the script not applied (as one of this build does while one of the
        // older build is still running) and stops, saying why.
        await using (var database = TestStorage.Database(settings))
        {
            await ExecuteAsync(database, "DELETE FROM schema_migrations WHERE version = 11");
        }

        // Said as a refusal, not as a damaged database (whose advice would be to move the file aside).
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => InProcessSilo.StartAsync(TestPaths.NewTempDirectory("state-move-second"), settings));
        var line = Assistant.Silo.Hosting.StartupErrors.Describe(failure); // the one line the silo prints
        Assert.NotNull(line);
        Assert.StartsWith("Storage: the schema upgrade of ", line);
        Assert.Contains("was refused, nothing was changed: schema 0011 moves grain state to grain_state", line);
        Assert.Contains("of an older build is still active; stop every silo of the service", line);

        // The running silo's states were not touched.
        Assert.Equal(HttpStatusCode.OK, (await running.Http.GetAsync("/health")).StatusCode);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Schema_0012_moves_the_delivery_records_with_their_versions_and_refuses_an_older_builds_writes(StorageKind kind)
    {
        await using var database = await TestStorage.MigratedAsync(kind, "delivery-move");

        // As an older build left it: a delivery record under its old name, schema 0012 not applied.
        await ExecuteAsync(database, kind == StorageKind.Sqlite
            ? "DROP TRIGGER telegram_delivery_moved_insert; DROP TRIGGER telegram_delivery_moved_update"
            : "DROP TRIGGER telegram_delivery_moved ON grain_state");
        await ExecuteAsync(database, """
            INSERT INTO grain_state (service_id, state_name, grain_key, version, write_id, payload, modified_on)
            VALUES ('svc', 'telegram_inbox', 'tg:12001', 7, 'w7', NULL, '2026-12-01 10:00:00')
            """);
        await ExecuteAsync(database, "DELETE FROM schema_migrations WHERE version = 12");

        Assert.Contains(12, await new SchemaMigrator(database, Microsoft.Extensions.Logging.Abstractions.NullLogger<SchemaMigrator>.Instance).MigrateAsync());

        Assert.Equal("7 w7", Convert.ToString(await ScalarAsync(database, "SELECT version || ' ' || write_id FROM grain_state WHERE state_name = 'telegram_delivery' AND grain_key = 'tg:12001'"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0L, Convert.ToInt64(await ScalarAsync(database, "SELECT count(*) FROM grain_state WHERE state_name = 'telegram_inbox'"), System.Globalization.CultureInfo.InvariantCulture));

        // A silo of the older build started again would accept messages there: refused, loudly.
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => ExecuteAsync(database, """
            INSERT INTO grain_state (service_id, state_name, grain_key, version, write_id, payload, modified_on)
            VALUES ('svc', 'telegram_inbox', 'tg:12002', 1, 'w1', NULL, '2026-12-01 10:00:00')
            """));
        Assert.Contains("the Telegram delivery record is telegram_delivery since schema 0012: this silo runs an older build", refused.Message);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Schema_0012_waits_until_no_silo_of_the_older_build_is_active(StorageKind kind)
    {
        var directory = TestPaths.NewTempDirectory("delivery-move-active");
        var settings = await TestStorage.SettingsAsync(kind, directory, "delivery-move-active");
        await using var running = await InProcessSilo.StartAsync(directory, settings);
        await using (var database = TestStorage.Database(settings))
        {
            await ExecuteAsync(database, "DELETE FROM schema_migrations WHERE version = 12");
        }

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => InProcessSilo.StartAsync(TestPaths.NewTempDirectory("delivery-move-second"), settings));
        var line = Assistant.Silo.Hosting.StartupErrors.Describe(failure);
        Assert.NotNull(line);
        Assert.Contains("was refused, nothing was changed: schema 0012 moves the Telegram delivery record", line);
        Assert.Contains("of an older build is still active; stop every silo of the service", line);
        Assert.Equal(HttpStatusCode.OK, (await running.Http.GetAsync("/health")).StatusCode);
    }

    private static async Task ExecuteAsync(Database database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(Database database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }
}
