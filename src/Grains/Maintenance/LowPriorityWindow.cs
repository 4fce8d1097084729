using Assistant.Monitoring;
using Assistant.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Maintenance;

/// <summary>
/// Whether low-priority background work (VACUUM, REINDEX, backups) may start on this silo now:
/// not while a reply is being written here, and not while this silo's CPU is over
/// <c>Monitoring:ThrottleCpuPercent</c> (over the health cycle's window, as the monitor measures it).
/// </summary>
public sealed class LowPriorityWindow(
    LocalSessionRegistry sessions,
    IResourceSampler sampler,
    IOptions<MonitoringOptions> monitoring,
    [FromKeyedServices(Clock.Key)] TimeProvider time)
{
    /// <returns>Null when the work may start; otherwise what it waits for.</returns>
    public Busy? Now()
    {
        if (sessions.ActiveReplies is var replies and > 0)
        {
            return new Busy(BusyKind.Replies, replies == 1 ? "a reply is in progress on this silo" : $"{replies} replies are in progress on this silo");
        }

        var limit = monitoring.Value.ThrottleCpuPercent;
        var cpu = sampler.Sample(TimeSpan.FromSeconds(monitoring.Value.HealthIntervalSeconds)).CpuPercent;
        return cpu > limit ? new Busy(BusyKind.Cpu, $"CPU on this silo is {cpu:0.#} %, over Monitoring:ThrottleCpuPercent ({limit:0.#} %)") : null;
    }

    /// <summary>Completes when what <paramref name="busy"/> waits for may have changed: the replies ended, or <paramref name="recheck"/> passed.</summary>
    public Task ChangeAsync(Busy busy, TimeSpan recheck) => busy.Kind == BusyKind.Replies
        ? sessions.WaitForNoRepliesAsync(recheck, time).ContinueWith(_ => { }, TaskScheduler.Default)
        : Task.Delay(recheck, time);

    public enum BusyKind
    {
        Replies,
        Cpu,
    }

    public sealed record Busy(BusyKind Kind, string Why);
}
