using System.Diagnostics;

namespace Assistant.LoadDriver;

/// <summary>A system under test whose CPU time the driver can read.</summary>
internal interface IMeasuredSystem : IAsyncDisposable
{
    /// <summary>The CPU time (user and system) its process has used so far.</summary>
    TimeSpan CpuTime();
}

/// <summary>
/// <see cref="FloorBot"/> in a process of its own (this driver started again with
/// <c>--floor-bot</c>), so that its CPU is its own and it talks to the fakes across processes, as
/// the service does. It runs until its standard input closes.
/// </summary>
internal sealed class FloorProcess : IMeasuredSystem
{
    private readonly Process _process;

    private FloorProcess(Process process) => _process = process;

    public static async Task<FloorProcess> StartAsync(string telegramBaseUrl, string token, string modelBaseUrl, string? databasePath = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { typeof(FloorProcess).Assembly.Location, "--floor-bot", telegramBaseUrl, token, modelBaseUrl, databasePath ?? "", ServiceSettings.SqliteSynchronous })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        if (await process.StandardOutput.ReadLineAsync() != Ready)
        {
            throw new InvalidOperationException("The floor bot did not start.");
        }

        return new FloorProcess(process);
    }

    /// <summary>What the child writes once it polls.</summary>
    public const string Ready = "floor bot ready";

    /// <summary>The child's side: runs the floor bot until standard input closes.</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        var i = Array.IndexOf(args, "--floor-bot");
        var database = args[i + 4];
        await using var bot = FloorBot.Start(args[i + 1], args[i + 2], args[i + 3], database.Length == 0 ? null : database, args[i + 5]);
        Console.WriteLine(Ready);
        await Console.In.ReadToEndAsync();
        return 0;
    }

    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }
}
