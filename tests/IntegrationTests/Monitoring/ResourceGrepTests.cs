using System.Diagnostics;
using Assistant.IntegrationTests.Autopilot;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Monitoring;

/// <summary>
/// The operations guide's resource check, <c>grep "emergency\|critical\|warning" logs/system.log</c>,
/// run as printed against a silo that went through every kind of incident: it finds every
/// emergency-mode and throttling change and every alert, whatever its level.
/// </summary>
public sealed class ResourceGrepTests
{
    [Fact]
    public async Task The_guides_resource_grep_finds_every_mode_change_and_every_alert()
    {
        await using var service = await AutopilotSilo.StartAsync("resource-grep", new Dictionary<string, string?> { ["Monitoring:AlertCooldownMinutes"] = "0.5" }); // each step a minute apart: every alert is raised again
        var figures = service.Figures;
        var steps = new Action[]
        {
            () => figures.MemoryMb = 400,                            // memory_elevated (low)
            () => (figures.MemoryMb, figures.CpuPercent) = (650, 5), // over the 500 MB limit (high), emergency mode on
            () => figures.MemoryMb = 850,                            // memory_warning (high)
            () => figures.MemoryMb = 950,                            // memory_critical
            () => (figures.MemoryMb, figures.CpuPercent) = (100, 90), // emergency off; cpu_spike, throttling on, health_degraded
            () => (figures.CpuPercent, figures.ActiveSessions) = (5, 9), // throttling off; session_overflow (medium)
            () => (figures.ActiveSessions, figures.DiskUsagePercent) = (0, 92), // disk_space (high)
            () => figures.DiskUsagePercent = 97,                     // disk_space (critical)
        };
        foreach (var step in steps)
        {
            step();
            await service.RefreshAsync();
            service.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var log = Path.Combine(service.Silo.Directory, "logs", "system.log");
        var incidents = ScriptedService.ReadShared(log).Split('\n')
            .Where(l => l.Contains("Alert (", StringComparison.Ordinal) || l.Contains("🔄 Emergency mode", StringComparison.Ordinal) || l.Contains("🔄 CPU throttling", StringComparison.Ordinal))
            .ToList();
        var found = await GrepAsync(service.Silo.Directory, "emergency\\|critical\\|warning", "logs/system.log");

        foreach (var expected in new[]
        {
            "Alert (low) memory_elevated", "Alert (high) memory_warning", "Alert (critical) memory_critical", "Alert (high) cpu_spike",
            "Alert (high) health_degraded", "Alert (medium) session_overflow", "Alert (high) disk_space", "Alert (critical) disk_space",
            "🔄 Emergency mode on", "🔄 Emergency mode off", "🔄 CPU throttling on", "🔄 CPU throttling off",
        })
        {
            Assert.Contains(incidents, l => l.Contains(expected, StringComparison.Ordinal));
        }

        Assert.All(incidents, line => Assert.Contains(line, found));
    }

    private static async Task<string[]> GrepAsync(string directory, string pattern, string file)
    {
        var start = new ProcessStartInfo("grep") { WorkingDirectory = directory, RedirectStandardOutput = true };
        start.ArgumentList.Add(pattern);
        start.ArgumentList.Add(file);
        using var grep = Process.Start(start)!;
        var output = await grep.StandardOutput.ReadToEndAsync();
        await grep.WaitForExitAsync();
        return output.Split('\n');
    }
}
