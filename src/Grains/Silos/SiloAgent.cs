using Assistant.Sessions;
using Microsoft.Extensions.Logging;

namespace Assistant.Silos;

/// <summary>This silo's agent: answers, for the cluster, what only this silo knows.</summary>
internal sealed class SiloAgent(
    GrainId id,
    Silo silo,
    ILoggerFactory loggerFactory,
    ILocalSiloDetails details,
    LocalSessionRegistry sessions,
    Telegram.TelegramCounters telegram,
    TimeProvider time) : GrainService(id, silo, loggerFactory), ISiloAgent
{
    public Task<SiloSessionReport> GetSessionReportAsync(int largest) =>
        Task.FromResult(sessions.Report(details.Name, largest, time.GetUtcNow()));

    public Task<Telegram.TelegramSiloCounters> GetTelegramCountersAsync() => Task.FromResult(telegram.Snapshot(details.Name));
}
