using System.Diagnostics;

namespace Assistant.LoadDriver;

/// <summary>
/// Cold start (process launch to the first 200 from <c>/health</c>) on a fresh database and again on
/// the existing one, then the resident memory of the idle service (dashboard on) once its first
/// health cycles have run, before and after the dashboard is opened; and again with the dashboard
/// turned off, to show its share.
/// </summary>
internal static class StartAndIdle
{
    public static async Task RunAsync(Report report, bool quick)
    {
        Console.WriteLine("Cold start and idle memory ...");
        var directory = ServiceSettings.NewDirectory("start");
        var settings = ServiceSettings.Embedded(directory, model: null);

        await using (var first = new ServiceProcess(directory, settings))
        {
            var fresh = await first.StartUntilHealthyAsync();
            report.AtMost("Start-up", "cold start to healthy, new database", fresh.TotalSeconds, "s", 3, "schema created");
            await first.StopAsync();
        }

        await using var service = new ServiceProcess(directory, settings);
        var again = await service.StartUntilHealthyAsync();
        report.AtMost("Start-up", "cold start to healthy, existing database", again.TotalSeconds, "s", 3);

        // Idle: nothing but the service's own cycles (health every 30 s) and the dashboard's silo.
        // The dashboard is on but nobody has opened it: its web assets load on the first request.
        var idleFor = TimeSpan.FromSeconds(quick ? 10 : 65);
        await Task.Delay(idleFor);
        report.AtMost("Idle", "resident memory (RSS)", service.ResidentBytes() / 1024.0 / 1024.0, "MB", 200, $"after {idleFor.TotalSeconds:0} s idle, dashboard on, not opened");

        // Then someone opens the dashboard (its page and its script), and the silo idles again.
        foreach (var path in new[] { "/dashboard/", "/dashboard/index.min.js" })
        {
            using var asset = await service.Http.GetAsync(path);
            asset.EnsureSuccessStatusCode();
        }

        await Task.Delay(idleFor);
        report.Add(new Figure("Idle", "resident memory (RSS), dashboard opened", service.ResidentBytes() / 1024.0 / 1024.0, "MB", Note: $"{idleFor.TotalSeconds:0} s after its page and script were fetched"));
        await service.StopAsync();

        // The same without the dashboard (Dashboard:Enabled=false): what the dashboard itself costs.
        var bare = ServiceSettings.NewDirectory("start-bare");
        await using var withoutDashboard = new ServiceProcess(bare, new Dictionary<string, string>(ServiceSettings.Embedded(bare, model: null)) { ["Dashboard:Enabled"] = "false" });
        await withoutDashboard.StartUntilHealthyAsync();
        await Task.Delay(idleFor);
        report.Add(new Figure("Idle", "resident memory (RSS), dashboard off", withoutDashboard.ResidentBytes() / 1024.0 / 1024.0, "MB", Note: $"after {idleFor.TotalSeconds:0} s idle, Dashboard:Enabled=false"));
    }
}
