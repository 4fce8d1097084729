using System.Text.Json;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Telegram;

public sealed class LoginScriptTests
{
    [Fact]
    public async Task Login_checks_the_token_stores_it_privately_and_the_service_uses_it_then_logout_removes_it()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        var directory = TestPaths.NewTempDirectory("login");
        var environment = new Dictionary<string, string> { ["Telegram__ApiBaseUrl"] = telegram.BaseUrl };

        var login = await Script.RunAsync("telegram_login.sh", directory, environment, input: TelegramSiloFixture.Token + "\n");

        Assert.Equal(0, login.ExitCode);
        Assert.Contains("Logged in as @test_assistant_bot", login.Output);
        Assert.DoesNotContain(TelegramSiloFixture.Token, login.All);
        var file = Path.Combine(directory, "secrets", "telegram.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        // No Telegram__BotToken: the service reads the stored one.
        await using (var silo = await InProcessSilo.StartAsync(directory, new Dictionary<string, string?>
        {
            ["Telegram:SecretsFile"] = file,
            ["Telegram:ApiBaseUrl"] = telegram.BaseUrl,
            ["Telegram:PollTimeoutSeconds"] = "1",
        }))
        {
            await telegram.WaitForCallsAsync("getUpdates", 1);
            using var status = JsonDocument.Parse(await silo.Http.GetStringAsync("/telegram/status"));
            Assert.Equal("test_assistant_bot", status.RootElement.GetProperty("bot").GetProperty("username").GetString());
        }

        var logout = await Script.RunAsync("telegram_logout.sh", directory, environment, arguments: "--api");

        Assert.Equal(0, logout.ExitCode);
        Assert.False(File.Exists(file));
        Assert.Contains(telegram.Calls, c => c.Method == "logOut" && c.Status == 200);
    }

    [Fact]
    public async Task The_guides_reauthentication_logout_login_start_ends_with_the_running_service_polling_with_the_new_token()
    {
        const string renewed = "987654321:AAF-renewed_token_abcdefghijklmnopqrstu";
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var service = new ScriptedService("reauth", new Dictionary<string, string>
        {
            ["Telegram__ApiBaseUrl"] = telegram.BaseUrl,
            ["Telegram__PollTimeoutSeconds"] = "1",
        });
        Assert.Equal(0, (await Script.RunAsync("telegram_login.sh", service.Home, service.Environment, input: TelegramSiloFixture.Token + "\n")).ExitCode);
        Assert.Equal(0, (await service.StartAsync()).ExitCode);
        await telegram.WaitForCallsAsync("getUpdates", 1);

        await WaitForBotAsync(service.Http, "test_assistant_bot");

        // @BotFather revokes the token and issues another; the operator follows the guide, with no stop.
        telegram.Revoke(renewed, "renewed_assistant_bot");
        var logout = await Script.RunAsync("telegram_logout.sh", service.Home, service.Environment);
        var login = await Script.RunAsync("telegram_login.sh", service.Home, service.Environment, input: renewed + "\n");
        var revoked = telegram.Calls.Count;
        var start = await service.StartAsync();

        Assert.Equal(0, logout.ExitCode);
        Assert.Equal(0, login.ExitCode);
        Assert.True(start.ExitCode == 0, start.All);
        Assert.Contains("Silo 1 runs with another bot token than the one configured now; restarting it", start.Output);
        Assert.Contains("Restarted for the new bot token: silo 1.", start.Output);
        Assert.DoesNotContain(renewed, start.All);
        await Eventually.WaitAsync(
            () => Task.FromResult(telegram.Calls.Skip(revoked).Any(c => c.Method == "getUpdates" && c.Status == 200)),
            "a long poll with the new token", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
        await WaitForBotAsync(service.Http, "renewed_assistant_bot");
        Assert.Contains("for a restart start.sh asked for; starting it again", service.SupervisorLog);

        // Asked again with nothing changed, it restarts nothing.
        var again = await service.StartAsync();
        Assert.True(again.ExitCode == 0, again.All);
        Assert.DoesNotContain("restarting it", again.Output);
    }

    [Fact]
    public async Task A_token_the_supervisors_environment_sets_wins_over_a_new_login_and_start_says_so_instead_of_ok()
    {
        const string renewed = "987654321:AAF-renewed_token_abcdefghijklmnopqrstu";
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        await using var service = new ScriptedService("reauth-env", new Dictionary<string, string>
        {
            ["Telegram__ApiBaseUrl"] = telegram.BaseUrl,
            ["Telegram__PollTimeoutSeconds"] = "1",
            ["Telegram__BotToken"] = TelegramSiloFixture.Token, // given in the environment at the first start
        });
        Assert.Equal(0, (await service.StartAsync()).ExitCode);

        telegram.Revoke(renewed, "renewed_assistant_bot");
        var login = await Script.RunAsync("telegram_login.sh", service.Home, service.Environment, input: renewed + "\n");
        service.Environment.Remove("Telegram__BotToken"); // the operator's shell no longer sets it; the supervisor's still does
        var start = await service.StartAsync();

        Assert.Equal(0, login.ExitCode);
        Assert.Equal(1, start.ExitCode);
        Assert.Contains("silo 1 came back with the old bot token: its supervisor's environment sets Telegram__BotToken", start.Error);
        Assert.DoesNotContain(renewed, start.All);
    }

    /// <summary>
    /// The status names the bot once the channel's activation has identified it. Twice, in clean-clone
    /// CI runs, it did not yet right after the channel's first successful getUpdates (not seen here
    /// on its own; a second activation of the channel identifying itself is one possibility), so
    /// this waits for it, and says what the status showed if it never does.
    /// </summary>
    private static async Task WaitForBotAsync(HttpClient http, string expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var body = await http.GetStringAsync("/telegram/status");
            using var status = JsonDocument.Parse(body);
            var username = status.RootElement.TryGetProperty("bot", out var bot) && bot.TryGetProperty("username", out var name) ? name.GetString() : null;
            if (username == expected)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the status never named {expected}: {body}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_token_given_as_an_argument_is_refused_unread_and_nothing_is_stored()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        var directory = TestPaths.NewTempDirectory("login-argument");

        var login = await Script.RunAsync("telegram_login.sh", directory, new Dictionary<string, string> { ["Telegram__ApiBaseUrl"] = telegram.BaseUrl }, arguments: TelegramSiloFixture.Token);

        Assert.Equal(2, login.ExitCode);
        Assert.Contains("standard input", login.Error);
        Assert.DoesNotContain(TelegramSiloFixture.Token, login.All);
        Assert.DoesNotContain(telegram.Calls, c => c.Method == "getMe");
        Assert.False(File.Exists(Path.Combine(directory, "secrets", "telegram.json")));
    }

    [Fact]
    public async Task A_token_Telegram_refuses_is_reported_and_nothing_is_stored()
    {
        await using var telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        var directory = TestPaths.NewTempDirectory("login-bad");

        var login = await Script.RunAsync("telegram_login.sh", directory, new Dictionary<string, string> { ["Telegram__ApiBaseUrl"] = telegram.BaseUrl }, input: "999:wrong-token\n");

        Assert.NotEqual(0, login.ExitCode);
        Assert.Contains("Unauthorized", login.Error);
        Assert.False(File.Exists(Path.Combine(directory, "secrets", "telegram.json")));
    }
}
