using System.Globalization;
using Assistant.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

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

        var app = AssistantApp.Build([.. values.Select(kv => $"--{kv.Key}={kv.Value}")], overrideServices);
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
