using System.Globalization;
using Assistant.Monitoring;
using Assistant.Sessions;
using Assistant.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>
/// The whole service (the same <see cref="AssistantApp.Build"/> the executable uses) started inside
/// the test process on real loopback ports, so tests can reach its services as well as its HTTP API.
/// </summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private InProcessSilo(WebApplication app, int httpPort, string directory)
    {
        App = app;
        HttpPort = httpPort;
        Directory = directory;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public IGrainFactory Grains => App.Services.GetRequiredService<IGrainFactory>();

    public int HttpPort { get; }

    public string Directory { get; }

    public HttpClient Http { get; }

    /// <summary>
    /// Starts a silo whose data and logs live in <paramref name="directory"/>; <paramref name="settings"/>
    /// are configuration keys (<c>Section:Key</c>) that override the defaults.
    /// </summary>
    public static async Task<InProcessSilo> StartAsync(string directory, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? overrideServices = null)
    {
        var httpPort = TestPorts.Free();
        var values = new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{httpPort}",
            ["Storage:DatabasePath"] = Path.Combine(directory, "data", "system.db"),
            ["Logs:Directory"] = Path.Combine(directory, "logs"),
            ["Logs:ColdStorageDirectory"] = Path.Combine(directory, "logs", "cold"),
            ["Logs:Console"] = "false",
            ["Cluster:SiloPort"] = TestPorts.Free().ToString(CultureInfo.InvariantCulture),
            ["Cluster:GatewayPort"] = TestPorts.Free().ToString(CultureInfo.InvariantCulture),

            // Many silos share this test process, so its memory is no silo's own: no automatic restarts here.
            ["Restart:AutoRestart"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        // For the same reason every in-process silo reports calm figures (SamplerFigures' defaults)
        // unless the test sets its own sampler: read from the shared process, they once sent a silo
        // into emergency mode mid-test, pruning the test's conversation. SamplingTests checks the
        // real sampler on a silo process of its own.
        var calm = new SamplerFigures();
        void Services(IServiceCollection services)
        {
            services.Replace(ServiceDescriptor.Singleton<IResourceSampler>(sp => new SettableSampler(
                calm,
                sp.GetRequiredService<LocalSessionRegistry>(),
                sp.GetRequiredService<ILocalSiloDetails>(),
                sp.GetRequiredKeyedService<TimeProvider>(Assistant.Clock.Key),
                sp.GetRequiredService<IOptions<MonitoringOptions>>().Value.MemoryLimitMb,
                sp.GetRequiredService<ReplyWindow>())));
            overrideServices?.Invoke(services);
        }

        var app = AssistantApp.Build([.. values.Select(kv => $"--{kv.Key}={kv.Value}")], Services);
        await app.StartAsync();
        return new InProcessSilo(app, httpPort, directory);
    }

    public async Task StopAsync() => await App.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            await App.StopAsync();
        }
        finally
        {
            await App.DisposeAsync();
        }
    }
}
