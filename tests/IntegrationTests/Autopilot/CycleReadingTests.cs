using System.Net;
using System.Text.Json;
using Assistant.IntegrationTests.Infrastructure;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Assistant.IntegrationTests.Autopilot;

/// <summary>What the health cycle reads is not distorted by the monitor's own work or by an extra refresh.</summary>
public sealed class CycleReadingTests
{
    [Fact]
    public async Task A_refresh_right_after_a_cycle_reads_the_cycles_CPU_and_leaves_throttling_as_it_was()
    {
        var figures = new SamplerFigures { ProcessorTime = TimeSpan.Zero };
        await using var service = await AutopilotSilo.StartAsync("cpu-window", figures: figures);

        // 30 s at 80 % of both cores: under the 85 % that starts throttling.
        service.Clock.Advance(TimeSpan.FromSeconds(30));
        figures.ProcessorTime = TimeSpan.FromSeconds(0.8 * 30 * SettableSampler.Processors);
        var cycle = await service.RefreshAsync();

        // 5 ms later, with both cores busy for those 5 ms: a baseline shared with the cycle read 100 %.
        service.Clock.Advance(TimeSpan.FromMilliseconds(5));
        figures.ProcessorTime += TimeSpan.FromMilliseconds(5 * SettableSampler.Processors);
        var refresh = await service.RefreshAsync();

        Assert.Equal(80, Cpu(cycle));
        Assert.Equal(Cpu(cycle), Cpu(refresh));
        Assert.False(refresh.GetProperty("emergency").GetProperty("cpu_throttling").GetBoolean());
        Assert.DoesNotContain(refresh.GetProperty("health").GetProperty("alerts").EnumerateArray(), a => a.GetProperty("alert_type").GetString() == "cpu_spike");
    }

    [Fact]
    public async Task Clearing_300_stale_contexts_activates_none_of_them()
    {
        await using var service = await AutopilotSilo.StartAsync("stale-sessions");
        var ids = Enumerable.Range(1, 300).Select(i => $"stale-{i}").ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, _) => await service.Http.SendAsync(id, "remember this"));

        // Everyone goes dormant, and stays silent past Sessions:InactiveContextHours.
        service.Clock.Advance(TimeSpan.FromMinutes(2));
        await CleanupAsync(service);
        await Eventually.WaitAsync(async () => await service.ActiveSessionsAsync() == 0, "the sessions deactivated", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        service.Clock.Advance(TimeSpan.FromHours(25));

        var cleanup = await CleanupAsync(service);
        var status = await service.RefreshAsync();

        Assert.Equal(300, cleanup.GetProperty("contexts_cleared").GetInt32());
        Assert.Equal(0, status.GetProperty("health").GetProperty("current_resources").GetProperty("active_sessions").GetInt32());
        Assert.DoesNotContain(status.GetProperty("health").GetProperty("alerts").EnumerateArray(), a => a.GetProperty("alert_type").GetString() == "session_overflow");
        Assert.Equal(0, await service.ActiveSessionsAsync());

        // A dormant session clears its context when it is next used.
        var session = await service.Http.GetSessionAsync("stale-7");
        Assert.Equal(0, session.GetProperty("message_count").GetInt32());
        var reply = await service.Http.SendAsync("stale-8", "do you remember?");
        Assert.Equal(2, (await service.Http.GetSessionAsync("stale-8")).GetProperty("message_count").GetInt32());
        Assert.NotNull(reply.GetProperty("reply").GetString());
    }

    [Fact]
    public async Task A_context_used_since_the_directory_last_heard_of_it_is_not_cleared()
    {
        await using var service = await AutopilotSilo.StartAsync("stale-row");
        await service.Http.SendAsync("busy-1", "first");
        service.Clock.Advance(TimeSpan.FromHours(25));
        await service.Http.SendAsync("busy-1", "second, a day later");

        // The directory missed the second exchange (its write failed): its row still says a day ago.
        var database = service.Silo.Services.GetRequiredService<Database>();
        await using (var connection = await database.OpenAsync())
        await using (var command = connection.CreateCommand("UPDATE chat_sessions SET last_active_at = @old WHERE session_id = 'api:busy-1'"))
        {
            await command.With("old", (service.Clock.GetUtcNow() - TimeSpan.FromHours(25)).UtcDateTime).ExecuteNonQueryAsync();
        }

        service.Clock.Advance(TimeSpan.FromHours(2));
        await CleanupAsync(service); // the row says inactive: marked cleared; the session, active, knows better
        await service.Silo.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await Eventually.WaitAsync(async () => await service.ActiveSessionsAsync() == 0, "the session deactivated", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));

        var session = await service.Http.GetSessionAsync("busy-1"); // the next activation honours no stale mark either
        Assert.Equal(4, session.GetProperty("message_count").GetInt32());
    }

    private static double Cpu(JsonElement status) => status.GetProperty("health").GetProperty("current_resources").GetProperty("cpu_percent").GetDouble();

    private static async Task<JsonElement> CleanupAsync(AutopilotSilo service)
    {
        using var response = await service.Http.PostAsync("/resources/cleanup", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
