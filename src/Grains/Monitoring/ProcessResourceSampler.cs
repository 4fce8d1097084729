using System.Globalization;
using Assistant.Sessions;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Monitoring;

/// <summary>
/// Measures this process and host: RSS (<see cref="Environment.WorkingSet"/>), CPU across all
/// cores over the window the caller asks for (<see cref="CpuMeter"/>), the sessions
/// active here, processes on the host (/proc), the data folder's disk, network bytes from
/// /proc/net/dev, the recent replies (<see cref="ReplyWindow"/>) and the CPUs the process may use (<see cref="CpuAffinity"/>). Each read costs microseconds; a whole snapshot well under a millisecond.
/// </summary>
public sealed class ProcessResourceSampler(
    ILocalSiloDetails silo,
    LocalSessionRegistry sessions,
    Database database,
    ReplyWindow replies,
    IOptions<MonitoringOptions> options,
    [FromKeyedServices(Clock.Key)] TimeProvider time) : IResourceSampler
{
    // The CPUs the process may use: the runtime's count (a container's limit included) fixed at its
    // start, or fewer where Process:CpuAffinity, applied after it, pinned the process.
    private readonly CpuMeter _cpu = new(() => Environment.CpuUsage.TotalTime, time, Math.Min(CpuAffinity.Allowed()?.Count ?? int.MaxValue, Environment.ProcessorCount), options.Value.CpuReadingsKept);

    public ResourceSnapshot Sample(TimeSpan cpuWindow)
    {
        var memoryMb = Math.Round(Environment.WorkingSet / 1024.0 / 1024.0, 1);
        return new ResourceSnapshot(
            silo.Name,
            time.GetUtcNow(),
            memoryMb,
            _cpu.PercentOver(cpuWindow),
            sessions.Count,
            CountProcesses(),
            DiskUsagePercent(),
            NetworkBytes(),
            Math.Round(100 * memoryMb / options.Value.MemoryLimitMb, 1),
            replies.Figures(),
            CpuAffinity.Allowed());
    }

    private static int CountProcesses()
    {
        try
        {
            return Directory.EnumerateDirectories("/proc").Count(d => Path.GetFileName(d).All(char.IsAsciiDigit));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private double DiskUsagePercent()
    {
        try
        {
            var folder = database.FilePath is { } file ? Path.GetDirectoryName(file)! : Directory.GetCurrentDirectory();
            var drive = new DriveInfo(folder);
            return drive.TotalSize == 0 ? 0 : Math.Round(100.0 * (drive.TotalSize - drive.AvailableFreeSpace) / drive.TotalSize, 1);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return 0;
        }
    }

    /// <summary>Sums /proc/net/dev over every interface but loopback.</summary>
    private static NetworkIo NetworkBytes()
    {
        try
        {
            long received = 0, sent = 0;
            foreach (var line in File.ReadLines("/proc/net/dev").Skip(2))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0 || line[..colon].Trim() == "lo")
                {
                    continue;
                }

                var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                received += long.Parse(fields[0], CultureInfo.InvariantCulture);
                sent += long.Parse(fields[8], CultureInfo.InvariantCulture);
            }

            return new NetworkIo(sent, received);
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
        {
            return new NetworkIo(0, 0);
        }
    }
}
