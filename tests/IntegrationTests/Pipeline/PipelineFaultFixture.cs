using Assistant.Fakes.OpenAi;
using Assistant.Fakes.Telegram;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Pipeline;

/// <summary>
/// A silo whose Telegram channel polls the fake Bot API, with its grain storage wrapped in
/// <see cref="StorageFaults"/>, short delivery limits, and sessions collected after 3 s idle
/// (<see cref="FastIdleCollection"/>).
/// </summary>
public sealed class PipelineFaultFixture : IAsyncLifetime
{
    public const string AdminKey = "pipeline-admin-key-0123456789";
    public const int MaxQueued = 3;

    public FakeTelegramServer Telegram { get; private set; } = null!;

    public FakeOpenAiServer Model { get; private set; } = null!;

    public InProcessSilo Silo { get; private set; } = null!;

    public StorageFaults Faults { get; } = new();

    public async Task InitializeAsync()
    {
        Telegram = await FakeTelegramServer.StartAsync(TelegramSiloFixture.Token);
        Model = await FakeOpenAiServer.StartAsync();
        var settings = ModelSiloFixture.Settings(Model);
        foreach (var (key, value) in TelegramSiloFixture.Settings(Telegram))
        {
            settings[key] = value;
        }

        settings.Remove("Telegram:AllowedUsers:0");
        settings.Remove("Telegram:AllowedUsers:1");
        settings["Telegram:MaxDeliveryAttempts"] = "3";
        settings["Telegram:RecoverySeconds"] = "1";
        settings["Sessions:MaxQueuedMessages"] = MaxQueued.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Storage:CommandTimeoutSeconds"] = "2";
        settings["Admin:ApiKey"] = AdminKey;
        Silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("pipeline"), settings, services =>
        {
            Faults.Install(services);
            FastIdleCollection.Install(services);
        });
        Silo.Http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        await Telegram.WaitForCallsAsync("getUpdates", 1);
    }

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        await Telegram.DisposeAsync();
        await Model.DisposeAsync();
    }
}
