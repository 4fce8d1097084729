using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>
/// <c>Process:CpuAffinity</c>, the guide's "process affinity settings", on the real executable (in
/// this test process it would pin the tests): every thread of the silo runs on the listed CPUs,
/// and <c>/resources/status</c> shows what the kernel says the process may use.
/// </summary>
public sealed class CpuAffinityTests
{
    [Fact]
    public async Task Every_thread_of_the_silo_runs_on_the_listed_cpus_and_the_status_shows_them()
    {
        await using var silo = new SiloProcess(TestPaths.NewTempDirectory("affinity"), new Dictionary<string, string> { ["Process__CpuAffinity__0"] = "0" });
        await silo.StartAndWaitHealthyAsync();

        var threads = Directory.GetDirectories($"/proc/{silo.ProcessId}/task")
            .Select(t => (Thread: Path.GetFileName(t), Cpus: AllowedList(Path.Combine(t, "status"))))
            .Where(t => t.Cpus is not null)
            .ToList();
        Assert.True(threads.Count > 10, $"{threads.Count} threads");
        Assert.All(threads, t => Assert.True(t.Cpus == "0", $"thread {t.Thread} may run on {t.Cpus}"));

        using var status = JsonDocument.Parse(await silo.Http.GetStringAsync("/resources/status?refresh=true"));
        var silos = status.RootElement.GetProperty("silos");
        Assert.Equal([0], silos[0].GetProperty("snapshot").GetProperty("cpu_affinity").EnumerateArray().Select(c => c.GetInt32()));
    }

    [Fact]
    public async Task A_cpu_out_of_range_stops_the_start_with_a_line_that_names_the_setting()
    {
        await using var silo = new SiloProcess(TestPaths.NewTempDirectory("affinity-bad"), new Dictionary<string, string> { ["Process__CpuAffinity__0"] = "4096" });

        silo.Start();

        Assert.Equal(2, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(silo.Output.Split('\n'), l => l.StartsWith("Startup failed:", StringComparison.Ordinal));
        Assert.Contains("Process:CpuAffinity lists CPU 4096", line);
    }

    private static string? AllowedList(string status)
    {
        try
        {
            return File.ReadLines(status).FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))?.Split(':')[1].Trim();
        }
        catch (IOException)
        {
            return null; // the thread ended meanwhile
        }
    }
}
