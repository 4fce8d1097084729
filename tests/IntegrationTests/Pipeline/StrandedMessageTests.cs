using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Assistant.IntegrationTests.Pipeline;

/// <summary>
/// A Telegram message confirmed to Telegram is answered even when the silo dies before the answer:
/// the inbox that holds it and the mark the recovery sweep finds the chat by are stored together or
/// not at all. The fault is the database's own (a trigger refusing the mark), so it covers every
/// path a write takes; the silo is a real process, killed.
/// </summary>
public sealed class StrandedMessageTests
{
    private const long Chat = 4_200_042;

    [Fact]
    public async Task A_message_whose_recovery_mark_cannot_be_stored_is_not_confirmed_without_it_and_survives_its_silo_killed_mid_reply()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(model);
        foreach (var (key, value) in TelegramSiloFixture.Settings(telegram))
        {
            settings[key] = value;
        }

        settings["Telegram:RecoverySeconds"] = "1";
        await using var cluster = new SiloCluster("stranded", settings);
        var first = await cluster.StartSiloAsync();
        await telegram.WaitForCallsAsync("getUpdates", 1);

        // The mark cannot be written, whoever writes it; the answer will hang until the silo is killed.
        await ExecuteAsync(cluster.DatabasePath, """
            CREATE TRIGGER refuse_mark BEFORE INSERT ON chat_sessions WHEN NEW.pending_since IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'injected: the recovery mark cannot be written'); END;
            CREATE TRIGGER refuse_mark_update BEFORE UPDATE ON chat_sessions WHEN NEW.pending_since IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'injected: the recovery mark cannot be written'); END;
            """);
        model.Delay = TimeSpan.FromMinutes(10);
        var message = telegram.SendUserMessage(Chat, TelegramSiloFixture.Member, "do not lose me");
        await first.WaitForOutputAsync("injected: the recovery mark cannot be written", TimeSpan.FromSeconds(30));

        // The fault clears; once the model is asked the message is accepted and confirmed. The silo dies mid-reply.
        await ExecuteAsync(cluster.DatabasePath, "DROP TRIGGER refuse_mark; DROP TRIGGER refuse_mark_update;");
        await model.WaitForRequestsAsync(1, TimeSpan.FromSeconds(60));
        await telegram.WaitUntilConfirmedAsync(TimeSpan.FromSeconds(30));
        await first.KillAsync();
        model.Delay = TimeSpan.Zero;

        // A new silo on the same database: the recovery sweep finds the chat and the user is answered, once.
        await cluster.StartSiloAsync();
        await telegram.WaitUntilAsync(Chat, m => m.Any(x => x.ReplyTo == message), "the answer after the restart", TimeSpan.FromSeconds(60));
        Assert.Equal("Echo: do not lose me", Assert.Single(telegram.RepliesTo(Chat, message)).Text);
    }

    private static async Task ExecuteAsync(string databasePath, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 10000; " + sql;
        await command.ExecuteNonQueryAsync();
    }
}
