using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>The service in-process with its Telegram channel pointed at a fake Bot API and its model at a fake OpenAI server.</summary>
public class TelegramSiloFixture : IAsyncLifetime
{
    public const string Token = "123456789:AAE-test_token_abcdefghijklmnopqrstuvwx";
    public const long Admin = 42;
    public const long Member = 1001;
    public const long Stranger = 666;

    public FakeTelegramServer Telegram { get; private set; } = null!;

    public FakeOpenAiServer Model { get; private set; } = null!;

    public InProcessSilo Silo { get; private set; } = null!;

    protected virtual string Mode => "Polling";

    /// <summary>Settings a fixture of its own changes beyond the common ones.</summary>
    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    public async Task InitializeAsync()
    {
        Telegram = await FakeTelegramServer.StartAsync(Token);
        Model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(Model);
        foreach (var (key, value) in Settings(Telegram, Mode))
        {
            settings[key] = value;
        }

        Configure(settings);

        Silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("telegram"), settings);
        if (Mode == "Polling")
        {
            await Telegram.WaitForCallsAsync("getUpdates", 1);
        }
        else
        {
            await Telegram.WaitForCallsAsync("setWebhook", 1);
        }
    }

    public static Dictionary<string, string?> Settings(FakeTelegramServer telegram, string mode = "Polling") => new()
    {
        ["Telegram:BotToken"] = Token,
        ["Telegram:ApiBaseUrl"] = telegram.BaseUrl,
        ["Telegram:Mode"] = mode,
        ["Telegram:PollTimeoutSeconds"] = "1",
        ["Telegram:StallSeconds"] = "4",
        ["Cluster:Singletons:Seconds"] = "1",
        ["Telegram:AdminUsers:0"] = Admin.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Telegram:AllowedUsers:0"] = Admin.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Telegram:AllowedUsers:1"] = Member.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Telegram:WebhookUrl"] = "https://bot.example.test/telegram/webhook",
        ["Telegram:WebhookSecret"] = "s3cret-token_for-tests",
    };

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        await Telegram.DisposeAsync();
        await Model.DisposeAsync();
    }
}

public sealed class TelegramWebhookFixture : TelegramSiloFixture
{
    protected override string Mode => "Webhook";
}

/// <summary>A model configured without vision (<c>AI:Vision=false</c>).</summary>
public sealed class BlindModelFixture : TelegramSiloFixture
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["AI:Vision"] = "false";
}
