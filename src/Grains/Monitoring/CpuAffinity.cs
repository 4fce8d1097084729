using System.Globalization;
using System.Runtime.InteropServices;
using Assistant.Storage;

namespace Assistant.Monitoring;

/// <summary>
/// The guide's "process affinity settings": <c>Process:CpuAffinity</c> pins the silo's process to
/// the listed CPUs. Applied to every thread the process has when it starts (threads made later
/// inherit the mask of the thread that makes them); read back from /proc for the status pages.
/// </summary>
public static class CpuAffinity
{
    public const string Setting = "Process:CpuAffinity";
    private const int MaxCpu = 1023;

    /// <summary>Pins every thread of this process to <paramref name="cpus"/>; nothing when the list is empty.</summary>
    /// <exception cref="StartupFailureException">A CPU number is out of range, none of them is available, or the platform has no affinity.</exception>
    public static void Apply(IReadOnlyList<int> cpus)
    {
        if (cpus.Count == 0)
        {
            return;
        }

        if (cpus.Where(c => c is < 0 or > MaxCpu).ToList() is { Count: > 0 } bad)
        {
            throw new StartupFailureException($"{Setting} lists CPU {string.Join(",", bad)}; CPU numbers go from 0 to {MaxCpu} (this process may use {AllowedText() ?? "unknown"})");
        }

        if (!OperatingSystem.IsLinux())
        {
            throw new StartupFailureException($"{Setting} is set, but only Linux lets a process choose its CPUs here; leave it empty");
        }

        var mask = new ulong[(cpus.Max() / 64) + 1];
        foreach (var cpu in cpus)
        {
            mask[cpu / 64] |= 1UL << (cpu % 64);
        }

        // Twice: a thread the runtime starts while the first pass runs is caught by the second.
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var task in Directory.GetDirectories("/proc/self/task"))
            {
                var thread = int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
                if (sched_setaffinity(thread, (nint)(mask.Length * sizeof(ulong)), mask) != 0 && Marshal.GetLastPInvokeError() is var error && error != 3 /* ESRCH: it ended */)
                {
                    throw new StartupFailureException(
                        $"{Setting} lists CPU(s) {string.Join(",", cpus)}, none of which this machine offers the process (it may use {AllowedText() ?? "unknown"}; error {error})");
                }
            }
        }
    }

    /// <summary>The CPUs the process may run on now, as the kernel says, or null off Linux.</summary>
    public static IReadOnlyList<int>? Allowed()
    {
        if (AllowedText() is not { } text)
        {
            return null;
        }

        // Cpus_allowed_list: 0-3,6,8-9
        var cpus = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-');
            var first = int.Parse(range[0], CultureInfo.InvariantCulture);
            var last = range.Length > 1 ? int.Parse(range[1], CultureInfo.InvariantCulture) : first;
            cpus.AddRange(Enumerable.Range(first, last - first + 1));
        }

        return cpus;
    }

    private static string? AllowedText()
    {
        try
        {
            return File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))?["Cpus_allowed_list:".Length..].Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setaffinity(int pid, nint cpusetsize, ulong[] mask);
}
