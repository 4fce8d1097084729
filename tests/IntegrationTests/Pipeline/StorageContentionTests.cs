using System.Globalization;
using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Sessions;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit.Abstractions;

namespace Assistant.IntegrationTests.Pipeline;

/// <summary>
/// The database itself under contention: PostgreSQL with a pool of one connection (a write then
/// waits for its connection while the reentrant session keeps going, and the provider serialises
/// the state only after that wait: the state must not change meanwhile), and SQLite locked by
/// another process for longer than the busy timeout. Every message is answered once.
/// </summary>
public sealed class StorageContentionTests(ITestOutputHelper output)
{
    private const long User = TelegramSiloFixture.Member;

    [Fact]
    public async Task On_PostgreSQL_with_a_pool_of_one_a_burst_into_one_chat_is_stored_whole()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var directory = TestPaths.NewTempDirectory("pool-of-one");
        var settings = await TestStorage.SettingsAsync(StorageKind.PostgreSql, directory, "pool-of-one");
        settings["Storage:ConnectionString"] = new NpgsqlConnectionStringBuilder(settings["Storage:ConnectionString"]) { MaxPoolSize = 1 }.ConnectionString;
        var faults = new StorageFaults();
        faults.WatchForMutationDuringWrites(TimeSpan.FromMilliseconds(20));
        await using var silo = await StartAsync(directory, settings, telegram, model, faults.Install);

        const long chat = 81_001;
        var asked = Enumerable.Range(1, 15).Select(i => telegram.SendUserMessage(chat, User, $"burst {i}")).ToList();
        await telegram.WaitUntilAsync(chat, m => asked.All(a => m.Any(x => x.ReplyTo == a)), "every reply", TimeSpan.FromSeconds(90));

        Assert.All(asked, a => Assert.Single(telegram.RepliesTo(chat, a)));
        Assert.True(faults.WatchedWrites >= 15, $"{faults.WatchedWrites} writes watched");
        Assert.Equal(0, faults.MutatedDuringWrite);
        var key = SessionKey.Telegram(chat);

        // A reply reaches Telegram before its exchange is recorded: wait for the inbox to empty, then read the stored state afresh.
        await Eventually.WaitAsync(async () => (await silo.Grains.GetGrain<IChatSessionGrain>(key).GetAsync()).TelegramPending == 0, "every exchange to be recorded", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        await silo.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var stored = await silo.Grains.GetGrain<IChatSessionGrain>(key).GetAsync();
        Assert.Equal(30, stored.MessageCount);
        Assert.Equal(Enumerable.Range(1, 15).Select(i => $"burst {i}"), stored.Messages.Where(m => m.Role == "user").Select(m => m.Text));
    }

    [Theory]
    [InlineData(2, 5)]
    public async Task A_SQLite_lock_held_longer_than_the_busy_timeout_loses_and_doubles_nothing(int busyTimeoutSeconds, int lockSeconds)
    {
        // ASSISTANT_CHAOS_LOCK=30,35 runs the same scenario with the default busy timeout (BENCHMARKS.md).
        if (Environment.GetEnvironmentVariable("ASSISTANT_CHAOS_LOCK") is { } chaos)
        {
            var parts = chaos.Split(',');
            (busyTimeoutSeconds, lockSeconds) = (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var directory = TestPaths.NewTempDirectory("sqlite-lock");
        var settings = await TestStorage.SettingsAsync(StorageKind.Sqlite, directory, "sqlite-lock");
        settings["Storage:CommandTimeoutSeconds"] = busyTimeoutSeconds.ToString(CultureInfo.InvariantCulture);
        settings["Admin:ApiKey"] = "contention-key"; // for the dead letters
        await using var silo = await StartAsync(directory, settings, telegram, model);
        silo.Http.DefaultRequestHeaders.Add("X-Api-Key", "contention-key");
        var warm = telegram.SendUserMessage(82_000, User, "warm up");
        await telegram.WaitUntilAsync(82_000, m => m.Any(x => x.ReplyTo == warm), "the warm-up reply");

        // Five messages are accepted just before the lock, so that their answers must be recorded during it.
        model.Delay = TimeSpan.FromMilliseconds(1500);
        var accepted = Enumerable.Range(20, 5).Select(i => (Chat: 82_000L + i, Message: telegram.SendUserMessage(82_000 + i, User, $"before the lock {i}"))).ToList();
        foreach (var (chat, _) in accepted)
        {
            var session = silo.Grains.GetGrain<IChatSessionGrain>(SessionKey.Telegram(chat));
            await Eventually.WaitAsync(async () => (await session.GetAsync()).TelegramPending == 1, "the message to be accepted", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(10));
        }

        await using (var locker = new SqliteConnection($"Data Source={settings["Storage:DatabasePath"]};Pooling=False"))
        {
            await locker.OpenAsync();
            await using (var begin = locker.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                await begin.ExecuteNonQueryAsync();
            }

            var sent = accepted.Concat(Enumerable.Range(1, 10).Select(i => (Chat: 82_000L + i, Message: telegram.SendUserMessage(82_000 + i, User, $"during the lock {i}")))).ToList();
            await Task.Delay(TimeSpan.FromSeconds(lockSeconds)); // the fault itself: the lock is held this long
            await using var rollback = locker.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();

            foreach (var (chat, message) in sent)
            {
                await telegram.WaitUntilAsync(chat, m => m.Any(x => x.ReplyTo == message), "the reply after the lock", TimeSpan.FromSeconds(60 + lockSeconds));
            }

            var duplicated = sent.Sum(s => telegram.RepliesTo(s.Chat, s.Message).Count - 1);
            output.WriteLine($"SQLite locked {lockSeconds} s (busy timeout {busyTimeoutSeconds} s): {sent.Count} messages sent, lost 0, duplicated {duplicated}.");
            Assert.Equal(0, duplicated);

            // Each user got the answer to what they asked, not an apology, and nothing was given up.
            foreach (var (chat, message) in sent)
            {
                var i = chat - 82_000;
                Assert.Equal(i >= 20 ? $"Echo: before the lock {i}" : $"Echo: during the lock {i}", Assert.Single(telegram.RepliesTo(chat, message)).Text);
            }

            var letters = System.Text.Json.JsonDocument.Parse(await silo.Http.GetStringAsync("/telegram/dead-letters")).RootElement.GetProperty("letters");
            Assert.Equal(0, letters.GetArrayLength());
        }
    }

    private static Task<InProcessSilo> StartAsync(string directory, Dictionary<string, string?> settings, FakeTelegramServer telegram, FakeOpenAiServer model, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        foreach (var (key, value) in ModelSiloFixture.Settings(model).Concat(TelegramSiloFixture.Settings(telegram)))
        {
            settings[key] = value;
        }

        settings["Telegram:RecoverySeconds"] = "1";
        settings["Telegram:FloodGate:PerChatPerSecond"] = "100";
        settings["Telegram:FloodGate:GlobalPerSecond"] = "1000";
        return InProcessSilo.StartAsync(directory, settings, services);
    }
}
