using System.Globalization;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>
/// The service as an operator runs it: scripts/start.sh and scripts/stop.sh, in a home folder of
/// its own (ASSISTANT_HOME) on free ports, using the silo these tests were built with.
/// </summary>
public sealed class ScriptedService : IAsyncDisposable
{
    public ScriptedService(string purpose, IDictionary<string, string>? environment = null)
    {
        Home = TestPaths.NewTempDirectory(purpose);
        HttpPort = TestPorts.Free();
        Environment = new Dictionary<string, string>
        {
            ["ASSISTANT_HOME"] = Home,
            ["ASSISTANT_CONFIGURATION"] = TestPaths.Configuration,
            ["ASSISTANT_NO_BUILD"] = "1",
            ["Cluster__SiloPort"] = TestPorts.Free().ToString(CultureInfo.InvariantCulture),
            ["Cluster__GatewayPort"] = TestPorts.Free().ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            Environment[key] = value;
        }

        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Home { get; }

    public int HttpPort { get; }

    public Dictionary<string, string> Environment { get; }

    public HttpClient Http { get; }

    public string SupervisorLog => ReadShared(Path.Combine(Home, "run", "supervisor-1.log"));

    public Task<Script.Result> StartAsync(params string[] extra) =>
        Script.RunAsync("start.sh", Home, Environment, arguments: ["--port", HttpPort.ToString(CultureInfo.InvariantCulture), .. extra]);

    public Task<Script.Result> StopAsync() => Script.RunAsync("stop.sh", Home, Environment);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (Directory.Exists(Path.Combine(Home, "run")) && Directory.GetFiles(Path.Combine(Home, "run"), "supervisor-*.pid").Length > 0)
        {
            await StopAsync();
        }
    }

    public static string ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return "";
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }
}
