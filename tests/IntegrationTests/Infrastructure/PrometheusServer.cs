using System.Diagnostics;
using System.Text.Json;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>
/// Debian's <c>prometheus</c> package (promtool and the server), which <c>scripts/test.sh</c>
/// installs: promtool run on files, and a real server on loopback with a data folder of its own.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, int port)
    {
        _process = process;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public static string Binary(string name)
    {
        var path = Path.Combine("/usr/bin", name);
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: run the tests with scripts/test.sh, which installs Debian's prometheus package.");
    }

    /// <summary>Runs promtool with <paramref name="arguments"/> in <paramref name="directory"/>; returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> PromtoolAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Binary("promtool")) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await output + await error);
    }

    /// <summary>Starts a server on a free loopback port with <paramref name="configFile"/> and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string configFile, string dataDirectory)
    {
        var port = TestPorts.Free();
        var start = new ProcessStartInfo(Binary("prometheus")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            $"--config.file={configFile}",
            $"--storage.tsdb.path={dataDirectory}",
            $"--web.listen-address=127.0.0.1:{port}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var server = new PrometheusServer(Process.Start(start)!, port);
        server._process.ErrorDataReceived += (_, _) => { };
        server._process.OutputDataReceived += (_, _) => { };
        server._process.BeginErrorReadLine();
        server._process.BeginOutputReadLine();
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    using var response = await server._http.GetAsync("/-/ready");
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return !server._process.HasExited ? false : throw new InvalidOperationException($"prometheus exited with {server._process.ExitCode}");
                }
            },
            "Prometheus to be ready",
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(200));
        return server;
    }

    /// <summary>GET <paramref name="path"/> of the HTTP API (<c>/api/v1/...</c>): its <c>data</c>.</summary>
    public async Task<JsonElement> ApiAsync(string path)
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync(path));
        return document.RootElement.GetProperty("data").Clone();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
