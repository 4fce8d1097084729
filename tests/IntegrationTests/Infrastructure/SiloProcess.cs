using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>
/// The real silo executable (<c>dotnet Assistant.Silo.dll</c>) in its own working directory, as an
/// operator runs it. Output is captured so a test can wait for a line and show it on failure.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _awaited = [];
    private Process? _process;

    public SiloProcess(string workingDirectory, IDictionary<string, string>? environment = null, int? httpPort = null, int? siloPort = null, int? gatewayPort = null)
    {
        WorkingDirectory = workingDirectory;
        HttpPort = httpPort ?? TestPorts.Free();
        SiloPort = siloPort ?? TestPorts.Free();
        GatewayPort = gatewayPort ?? TestPorts.Free();
        Environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{HttpPort}",
            ["Cluster__SiloPort"] = SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Cluster__GatewayPort"] = GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            Environment[key] = value;
        }

        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        if ((Environment.GetValueOrDefault("Admin:ApiKey") ?? Environment.GetValueOrDefault("Admin__ApiKey")) is { Length: > 0 } adminKey)
        {
            Http.DefaultRequestHeaders.Add("X-Api-Key", adminKey); // the tests' client is the operator
        }
    }

    public string WorkingDirectory { get; }

    public int HttpPort { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public Dictionary<string, string> Environment { get; }

    public HttpClient Http { get; }

    public int? ProcessId => _process?.Id;

    public bool HasExited => _process?.HasExited ?? true;

    public int ExitCode => _process!.ExitCode;

    public string Output => string.Join('\n', _output);

    /// <summary>
    /// When set, a bash (under this path, so under this process name) that runs the silo as its
    /// child and passes SIGTERM on, as a service manager is the silo's parent.
    /// </summary>
    public string? Parent { get; init; }

    public void Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(Parent ?? "dotnet")
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Parent is not null)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("""trap 'kill -TERM "$child"' TERM; dotnet "$@" & child=$!; wait "$child"; code=$?; while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done; exit $code""");
            start.ArgumentList.Add("parent");
        }

        start.ArgumentList.Add(TestPaths.SiloDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in Environment)
        {
            start.Environment[key] = value;
        }

        _output.Clear();
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts the silo and returns once it says it has started and <c>/health</c> answers 200.</summary>
    public async Task StartAndWaitHealthyAsync(TimeSpan? timeout = null)
    {
        Start();
        await WaitHealthyAsync(timeout);
    }

    public async Task WaitHealthyAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var started = WaitForOutputAsync("Application started", limit);
        var exited = _process!.WaitForExitAsync();
        if (await Task.WhenAny(started, exited, Task.Delay(limit)) != started)
        {
            throw new TimeoutException($"The silo did not report 'Application started' within {limit.TotalSeconds} s (exited: {_process.HasExited}).\n{Output}");
        }

        using var response = await Http.GetAsync("/health");
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The silo started but /health answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{Output}");
        }
    }

    /// <summary>Completes when a line containing <paramref name="text"/> appears (or already has).</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        lock (_awaited)
        {
            if (_output.Any(line => line.Contains(text, StringComparison.Ordinal)))
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _awaited.Add((text, seen));
            return seen.Task.WaitAsync(timeout);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process!.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The silo (pid {_process!.Id}) did not exit within {timeout.TotalSeconds} s.\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as <c>scripts/stop.sh</c> or systemd sends it; waits for the exit.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (HasExited)
        {
            return ExitCode;
        }

        Signals.Send(_process!.Id, Signals.Term);
        return await WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60));
    }

    /// <summary>SIGKILL: the process dies mid-flight, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!HasExited)
        {
            Signals.Send(_process!.Id, Signals.Kill);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process?.Dispose();
        Http.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        lock (_awaited)
        {
            foreach (var waiter in _awaited.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                waiter.Seen.TrySetResult();
                _awaited.Remove(waiter);
            }
        }
    }
}
