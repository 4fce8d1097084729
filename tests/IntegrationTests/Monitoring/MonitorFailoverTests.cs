using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Monitoring;

/// <summary>Two real silo processes; the one hosting the ResourceMonitor is killed with SIGKILL.</summary>
public sealed class MonitorFailoverTests
{
    [Fact]
    public async Task The_monitor_keeps_cycling_on_the_surviving_silo()
    {
        await using var cluster = new SiloCluster("monitor-failover", new Dictionary<string, string?>
        {
            ["Monitoring:HealthIntervalSeconds"] = "1",
            ["Cluster:Singletons:Seconds"] = "1",
        });
        var first = await cluster.StartSiloAsync();
        var second = await cluster.StartSiloAsync();
        var before = await WaitForStatusAsync(first, s => s.GetProperty("silos").GetArrayLength() == 2, "both silos in the monitor's figures");

        var host = cluster.ByName(before.GetProperty("monitor_silo").GetString()!);
        var survivor = host == first ? second : first;
        await host.KillAsync();

        var moved = await WaitForStatusAsync(survivor, s => s.GetProperty("monitor_silo").GetString()!.EndsWith("-" + survivor.SiloPort, StringComparison.Ordinal), "the monitor on the survivor", TimeSpan.FromSeconds(60));
        var cycles = moved.GetProperty("cycles").GetInt64();
        await WaitForStatusAsync(survivor, s => s.GetProperty("cycles").GetInt64() >= cycles + 2, "two more health cycles without being asked");
        var after = await WaitForStatusAsync(survivor, s => s.GetProperty("silos").GetArrayLength() == 1, "the dead silo gone from the figures", TimeSpan.FromSeconds(60));
        Assert.Equal(survivor.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture), after.GetProperty("silos")[0].GetProperty("silo").GetString()!.Split('-')[^1]);
    }

    [Fact]
    public async Task A_monitor_killed_with_its_silo_comes_back_in_emergency_mode()
    {
        // Each process reads its own settings, and the monitor uses those of the silo it runs on.
        // The first silo's real memory is over its emergency threshold; the second one's threshold
        // is out of reach. The second silo is still in emergency mode only if the mode was stored:
        // its memory is over the exit threshold (hysteresis), never over its entry threshold.
        await using var cluster = new SiloCluster("monitor-emergency", new Dictionary<string, string?>
        {
            ["Monitoring:HealthIntervalSeconds"] = "1",
            ["Cluster:Singletons:Seconds"] = "1",
            ["Monitoring:EmergencyExitMemoryMb"] = "20",
        });
        var first = cluster.AddSilo();
        first.Environment["Monitoring__EmergencyMemoryMb"] = "30";
        await first.StartAndWaitHealthyAsync(TimeSpan.FromSeconds(90));
        await WaitForStatusAsync(first, s => s.GetProperty("emergency").GetProperty("emergency_mode").GetBoolean(), "emergency mode on the first silo");

        var second = cluster.AddSilo();
        second.Environment["Monitoring__EmergencyMemoryMb"] = "1000000";
        await second.StartAndWaitHealthyAsync(TimeSpan.FromSeconds(90));
        await first.KillAsync();

        var moved = await WaitForStatusAsync(second, s => s.GetProperty("monitor_silo").GetString()!.EndsWith("-" + second.SiloPort, StringComparison.Ordinal), "the monitor on the survivor", TimeSpan.FromSeconds(60));
        var cycles = moved.GetProperty("cycles").GetInt64();
        var after = await WaitForStatusAsync(second, s => s.GetProperty("cycles").GetInt64() >= cycles + 2, "two health cycles on the survivor");
        Assert.True(after.GetProperty("emergency").GetProperty("emergency_mode").GetBoolean(), after.ToString());
        Assert.Contains("emergency mode on", second.Output);
    }

    private static async Task<JsonElement> WaitForStatusAsync(SiloProcess silo, Func<JsonElement, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                var status = JsonDocument.Parse(await silo.Http.GetStringAsync("/resources/status")).RootElement.Clone();
                if (condition(status))
                {
                    return status;
                }
            }
            catch (HttpRequestException)
            {
                // The monitor may be between silos for a moment.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.\n{silo.Output}");
            }

            await Task.Delay(200);
        }
    }
}
