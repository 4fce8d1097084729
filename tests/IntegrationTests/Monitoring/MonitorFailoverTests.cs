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
