using System.Diagnostics;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>Runs one of the repository's scripts, or a command line, as an operator would, capturing what it prints.</summary>
public static class Script
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;
    }

    /// <param name="input">What the script reads on standard input (then end of input); null for none.</param>
    public static Task<Result> RunAsync(string script, string workingDirectory, IDictionary<string, string>? environment = null, TimeSpan? timeout = null, string? input = null, params string[] arguments) =>
        RunBashAsync([Path.Combine(TestPaths.RepositoryRoot, "scripts", script), .. arguments], script, workingDirectory, environment, timeout, input);

    /// <summary>Runs a command line as an operator types it (<c>bash -c</c>), pipes and all.</summary>
    public static Task<Result> RunShellAsync(string command, string workingDirectory, IDictionary<string, string>? environment = null, TimeSpan? timeout = null) =>
        RunBashAsync(["-c", command], command, workingDirectory, environment, timeout, input: null);

    private static async Task<Result> RunBashAsync(string[] arguments, string what, string workingDirectory, IDictionary<string, string>? environment, TimeSpan? timeout, string? input)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what} did not finish: {await output}{await error}");
        }

        return new Result(process.ExitCode, await output, await error);
    }
}
