using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Microsoft.Extensions.DependencyInjection;

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

    /// <summary>Services a fixture of its own puts in place of the service's (a fake clock).</summary>
    protected virtual void Override(IServiceCollection services)
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

        Silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("telegram"), settings, Override);
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
        ["Telegram:StallSeconds"] = "12",
        ["Telegram:DeliveryTimeoutSeconds"] = "5",
        ["Cluster:Singletons:Seconds"] = "1",
        ["Telegram:AdminUsers:0"] = Admin.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Telegram:AllowedUsers:0"] = Admin.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Telegram:AllowedUsers:1"] = Member.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Telegram:WebhookUrl"] = "https://bot.example.test/telegram/webhook",
        ["Telegram:WebhookSecret"] = "s3cret-token_for-tests",
    };

    /// <summary>A client of the silo's HTTP API that carries <paramref name="key"/> (the caller disposes it).</summary>
    public HttpClient ClientWithKey(string key)
    {
        var client = new HttpClient { BaseAddress = Silo.Http.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

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

/// <summary>Models, personas and a fallback a chat may have (<c>AI:Models</c>, <c>AI:Personas</c>, <c>AI:FallbackModels</c>).</summary>
public sealed class ChatChoicesFixture : TelegramSiloFixture
{
    public const string PiratePrompt = "You are a pirate. Answer like one.";
    public const string AdminKey = "choices-admin-key";

    /// <summary>A client of the silo's HTTP API that carries the admin key (the caller disposes it).</summary>
    public HttpClient AdminClient() => ClientWithKey(AdminKey);

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["AI:Models:0"] = "fake-large";
        settings["AI:Personas:pirate"] = PiratePrompt;
        settings["AI:FallbackModels:0"] = "fake-backup";
        settings["Admin:ApiKey"] = AdminKey;
    }
}

/// <summary>A model configured without vision (<c>AI:Vision=false</c>).</summary>
public sealed class BlindModelFixture : TelegramSiloFixture
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["AI:Vision"] = "false";
}

/// <summary>
/// The service's clock (<see cref="Clock.Key"/>) and the fake Bot API's stamps on one
/// <see cref="ObservedClock"/>, which only the test moves: typing, its renewal and the waits of a
/// reply are asserted on it, not on the machine's timers.
/// </summary>
public sealed class ClockedTelegramFixture : TelegramSiloFixture
{
    public ObservedClock Clock { get; } = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Telegram:StallSeconds"] = "30"; // no other wait of the lengths the tests look for
        settings["AI:TimeoutSeconds"] = "60"; // an attempt's limit runs on real time: a held answer must outlast a slow test
        settings["AI:ReplyTimeoutSeconds"] = "600";
        Telegram.Clock = Clock;
    }

    protected override void Override(IServiceCollection services) => services.AddKeyedSingleton<TimeProvider>(Assistant.Clock.Key, Clock);
}
