using System.Text.Json;
using Assistant.Fakes;
using Assistant.Fakes.OpenAi;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Monitoring;
using Assistant.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Assistant.IntegrationTests.Autopilot;

/// <summary>
/// One silo in-process with the figures its sampler reports set by the test, a fake clock for the
/// service's own time, a fake model and an alert webhook. Health cycles run when the test asks
/// (<c>?refresh=true</c>) unless the settings give a short interval.
/// </summary>
public sealed class AutopilotSilo : IAsyncDisposable
{
    public const string AdminKey = "autopilot-key";

    private AutopilotSilo(InProcessSilo silo, SamplerFigures figures, FakeTimeProvider clock, FakeWebhookReceiver alerts, FakeOpenAiServer model)
    {
        (Silo, Figures, Clock, Alerts, Model) = (silo, figures, clock, alerts, model);
    }

    public InProcessSilo Silo { get; }

    public SamplerFigures Figures { get; }

    public FakeTimeProvider Clock { get; }

    public FakeWebhookReceiver Alerts { get; }

    public FakeOpenAiServer Model { get; }

    public HttpClient Http => Silo.Http;

    /// <param name="directory">The silo's data and logs; a new folder when null (give an earlier silo's to start again on its database).</param>
    /// <param name="now">Where the fake clock starts: 2026-11-26 12:00 UTC when null.</param>
    public static async Task<AutopilotSilo> StartAsync(string purpose, IDictionary<string, string?>? settings = null, SamplerFigures? figures = null, StorageFaults? faults = null, string? directory = null, DateTimeOffset? now = null)
    {
        figures ??= new SamplerFigures();
        var clock = new FakeTimeProvider(now ?? new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var alerts = await FakeWebhookReceiver.StartAsync();
        var model = await FakeOpenAiServer.StartAsync();
        var values = ModelSiloFixture.Settings(model);
        values["Monitoring:HealthIntervalSeconds"] = "3600";
        values["Monitoring:AlertWebhookUrl"] = alerts.Url;
        values["Monitoring:SessionCapacity"] = "10";
        values["Monitoring:MemoryLimitMb"] = "500"; // what the settable sampler measures utilisation against
        values["Monitoring:HealthScoreSustainedSeconds"] = "0"; // cycles run when a test asks: a low score alerts at once
        values["Admin:ApiKey"] = AdminKey;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var silo = await InProcessSilo.StartAsync(directory ?? TestPaths.NewTempDirectory(purpose), values, services =>
        {
            services.AddKeyedSingleton<TimeProvider>(Assistant.Clock.Key, clock);
            services.Replace(ServiceDescriptor.Singleton<IResourceSampler>(sp => new SettableSampler(
                figures, sp.GetRequiredService<LocalSessionRegistry>(), sp.GetRequiredService<ILocalSiloDetails>(), clock, 500, sp.GetRequiredService<ReplyWindow>())));
            faults?.Install(services);
        });
        silo.Http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return new AutopilotSilo(silo, figures, clock, alerts, model);
    }

    /// <summary>Runs a health cycle now and returns <c>/resources/status</c>.</summary>
    public Task<JsonElement> RefreshAsync() => StatusAsync(refresh: true);

    public async Task<JsonElement> StatusAsync(bool refresh = false)
    {
        var body = await Http.GetStringAsync($"/resources/status?history=5&refresh={(refresh ? "true" : "false")}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<JsonElement> RestartStatusAsync() => JsonDocument.Parse(await Http.GetStringAsync("/restart/status")).RootElement.Clone();

    public async Task<int> ActiveSessionsAsync()
    {
        using var report = JsonDocument.Parse(await Http.GetStringAsync("/sessions/report"));
        return report.RootElement.GetProperty("active_sessions").GetInt32();
    }

    public async ValueTask DisposeAsync()
    {
        await Silo.DisposeAsync();
        await Model.DisposeAsync();
        await Alerts.DisposeAsync();
    }
}
