using Assistant.IntegrationTests.Infrastructure;
using Assistant.IntegrationTests.TestGrains;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Assistant.IntegrationTests.Foundation;

public sealed class ReminderTests
{
    private static readonly TimeSpan TickTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task A_reminder_in_our_table_fires_and_is_still_registered_and_firing_after_a_restart(StorageKind kind)
    {
        var database = await TestStorage.MigratedAsync(kind, "reminders");
        var serviceId = $"reminders-{Guid.NewGuid():N}";
        var key = Guid.NewGuid().ToString("N");

        await using (var cluster = await StartClusterAsync(database.AdoNetInvariant, database.ConnectionString, serviceId))
        {
            var firstTick = ReminderTicks.NextTick(key);
            await cluster.Client.GetGrain<IReminderProbeGrain>(key).StartAsync(TimeSpan.FromSeconds(1));
            await firstTick.WaitAsync(TickTimeout);
        }

        // A new cluster on the same database and service: the reminder comes back from the table.
        await using (var restarted = await StartClusterAsync(database.AdoNetInvariant, database.ConnectionString, serviceId))
        {
            var tickAfterRestart = ReminderTicks.NextTick(key);
            await tickAfterRestart.WaitAsync(TickTimeout);
            Assert.True(await restarted.Client.GetGrain<IReminderProbeGrain>(key).IsRegisteredAsync());
        }
    }

    private static async Task<InProcessTestCluster> StartClusterAsync(string invariant, string connectionString, string serviceId)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = invariant;
                o.ConnectionString = connectionString;
            });
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
