using System.Globalization;
using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Monitoring;

/// <summary>
/// The figures <c>/resources/status</c> shows are measured, not made up: checked against what the
/// operating system says about a silo process of its own (in-process silos share the test process,
/// so they report set figures instead).
/// </summary>
public sealed class SamplingTests
{
    [Fact]
    public async Task The_status_shows_the_silo_processs_own_memory_its_sessions_the_hosts_processes_and_the_data_disk()
    {
        var directory = TestPaths.NewTempDirectory("sampling");
        await using var silo = new SiloProcess(directory);
        await silo.StartAndWaitHealthyAsync();
        await silo.Http.SendAsync("sampling-1", "hello");
        await silo.Http.SendAsync("sampling-2", "hello");

        var rssBefore = ResidentMb(silo.ProcessId!.Value);
        var processesBefore = HostProcesses();
        var (sentBefore, receivedBefore) = NetworkBytes();
        using var status = JsonDocument.Parse(await silo.Http.GetStringAsync("/resources/status?refresh=true"));
        var rssAfter = ResidentMb(silo.ProcessId!.Value);
        var processesAfter = HostProcesses();
        var (sentAfter, receivedAfter) = NetworkBytes();

        var snapshot = Assert.Single(status.RootElement.GetProperty("silos").EnumerateArray()).GetProperty("snapshot");
        var memory = snapshot.GetProperty("memory_mb").GetDouble();
        Assert.InRange(memory, Math.Min(rssBefore, rssAfter) * 0.9, Math.Max(rssBefore, rssAfter) * 1.1);
        Assert.Equal(Math.Round(100 * memory / new Assistant.Monitoring.MonitoringOptions().MemoryLimitMb, 1), snapshot.GetProperty("memory_utilization_percent").GetDouble());
        Assert.Equal(2, snapshot.GetProperty("active_sessions").GetInt32());
        Assert.InRange(snapshot.GetProperty("cpu_percent").GetDouble(), 0, 100);
        Assert.InRange(snapshot.GetProperty("total_processes").GetInt32(), Math.Min(processesBefore, processesAfter) - 20, Math.Max(processesBefore, processesAfter) + 20);

        var drive = new DriveInfo(Path.Combine(directory, "data"));
        var used = 100.0 * (drive.TotalSize - drive.AvailableFreeSpace) / drive.TotalSize;
        Assert.InRange(snapshot.GetProperty("disk_usage_percent").GetDouble(), used - 1, used + 1);

        var network = snapshot.GetProperty("network_io_bytes"); // the guide's [sent, received]
        Assert.InRange(network[0].GetInt64(), sentBefore, sentAfter);
        Assert.InRange(network[1].GetInt64(), receivedBefore, receivedAfter);
    }

    /// <summary>VmRSS of the process, in MB, as /proc reports it.</summary>
    private static double ResidentMb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kb / 1024.0;
    }

    /// <summary>Bytes sent and received since boot on every interface but loopback (/proc/net/dev).</summary>
    private static (long Sent, long Received) NetworkBytes()
    {
        long sent = 0, received = 0;
        foreach (var line in File.ReadLines("/proc/net/dev").Skip(2))
        {
            var parts = line.Split(':', 2);
            if (parts[0].Trim() != "lo")
            {
                var fields = parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                received += long.Parse(fields[0], CultureInfo.InvariantCulture);
                sent += long.Parse(fields[8], CultureInfo.InvariantCulture);
            }
        }

        return (sent, received);
    }

    private static int HostProcesses() =>
        Directory.EnumerateDirectories("/proc").Count(d => Path.GetFileName(d).All(char.IsAsciiDigit));
}
