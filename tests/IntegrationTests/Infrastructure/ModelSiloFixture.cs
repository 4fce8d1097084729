using Assistant.Fakes.OpenAi;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>The service in-process, its model pointed at a fake OpenAI-compatible server on loopback.</summary>
public sealed class ModelSiloFixture : IAsyncLifetime
{
    public FakeOpenAiServer Model { get; private set; } = null!;

    public InProcessSilo Silo { get; private set; } = null!;

    public HttpClient Http => Silo.Http;

    public async Task InitializeAsync()
    {
        Model = await FakeOpenAiServer.StartAsync();
        Silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("model"), Settings(Model));
    }

    public static Dictionary<string, string?> Settings(FakeOpenAiServer model) => new()
    {
        ["AI:Endpoint"] = model.BaseUrl,
        ["AI:Model"] = "fake-model",
        ["AI:ApiKey"] = "test-key",
        ["AI:MaxRetries"] = "3",
        ["AI:RetryBaseDelaySeconds"] = "0.01",
        ["AI:MaxRetryAfterSeconds"] = "2",
        ["AI:TimeoutSeconds"] = "3",
        ["AI:ReplyTimeoutSeconds"] = "20",
    };

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        await Model.DisposeAsync();
    }
}
