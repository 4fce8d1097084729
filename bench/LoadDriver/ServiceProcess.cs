using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Diagnostics.NETCore.Client;

namespace Assistant.LoadDriver;

/// <summary>
/// The silo executable (<c>dotnet Assistant.Silo.dll</c>) in a working directory of its own, as an
/// operator runs it. Its output is drained (and kept for a failure report); its memory is read from /proc.
/// </summary>
internal sealed class ServiceProcess : IMeasuredSystem
{
    private readonly Dictionary<string, string> _environment;
    private readonly List<string> _tail = [];
    private Process? _process;

    public ServiceProcess(string workingDirectory, IDictionary<string, string> settings)
    {
        WorkingDirectory = workingDirectory;
        Directory.CreateDirectory(workingDirectory);
        HttpPort = FreePort();
        SiloPort = FreePort();
        _environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{HttpPort}",
            ["Cluster__SiloPort"] = SiloPort.ToString(CultureInfo.InvariantCulture),
            ["Cluster__GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings)
        {
            _environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"),
            Timeout = TimeSpan.FromSeconds(120),
        };
    }

    public static string SiloDll { get; } = Path.Combine(RepositoryRoot(), "src", "Silo", "bin", BuildConfiguration(), "net10.0", "Assistant.Silo.dll");

    public string WorkingDirectory { get; }

    public int HttpPort { get; }

    public int SiloPort { get; }

    public HttpClient Http { get; }

    public bool HasExited => _process?.HasExited ?? true;

    public int? ProcessId => _process?.Id;

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(SiloDll);
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts the process and returns how long it took until <c>GET /health</c> answered 200.</summary>
    public async Task<TimeSpan> StartUntilHealthyAsync(TimeSpan? timeout = null)
    {
        var started = Stopwatch.GetTimestamp();
        Start();
        await WaitHealthyAsync(timeout ?? TimeSpan.FromSeconds(120));
        return Stopwatch.GetElapsedTime(started);
    }

    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var probe = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"The silo exited with {_process!.ExitCode} before it was healthy:\n{Tail()}");
            }

            try
            {
                using var response = await probe.GetAsync("/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening, not answering yet.
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"The silo was not healthy within {timeout.TotalSeconds} s:\n{Tail()}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>The CPU time (user and system) the process has used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process!.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>The process's resident set size (VmRSS), in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process!.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("VmRSS not found");
    }

    /// <summary>
    /// A blocking full garbage collection in the silo, triggered through the runtime's diagnostics
    /// port as <c>dotnet-gcdump</c> does; returns once the silo's own metrics count it.
    /// </summary>
    public async Task CollectGarbageAsync()
    {
        var before = await FullCollectionsAsync();
        var client = new DiagnosticsClient(_process!.Id);
        const long gc = 0x1, gcHeapCollect = 0x800000;
        using var session = client.StartEventPipeSession(new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, gc | gcHeapCollect), requestRundown: false);
        var drain = session.EventStream.CopyToAsync(Stream.Null);
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while (await FullCollectionsAsync() <= before)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("The silo did not report the full collection within 30 s");
            }

            await Task.Delay(100);
        }

        await session.StopAsync(CancellationToken.None);
        await drain;
    }

    /// <summary>A series' value from the silo's <c>/metrics</c> (the first whose line starts with <paramref name="series"/>).</summary>
    public async Task<double> MetricAsync(string series)
    {
        var text = await Http.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{series} is not in /metrics");
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    private Task<double> FullCollectionsAsync() => MetricAsync("dotnet_gc_collections_total{otel_scope_name=\"System.Runtime\",gc_heap_generation=\"gen2\"}");

    /// <summary>SIGKILL, as a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!HasExited)
        {
            _process!.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM and wait, as <c>scripts/stop.sh</c> does.</summary>
    public async Task StopAsync()
    {
        if (HasExited)
        {
            return;
        }

        using var kill = Process.Start("kill", ["-TERM", _process!.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    public string Tail()
    {
        lock (_tail)
        {
            return string.Join('\n', _tail);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        Http.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Add(line);
            if (_tail.Count > 200)
            {
                _tail.RemoveAt(0);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string BuildConfiguration() => typeof(ServiceProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BuildConfiguration").Value!;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Orleans.sln not found above {AppContext.BaseDirectory}");
    }
}
