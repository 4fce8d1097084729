using Assistant.Sessions;
using Orleans.Services;

namespace Assistant.Silos;

/// <summary>
/// One per silo (an Orleans grain service): what only that silo knows about itself, such as
/// the sessions it hosts. Reached through <c>ISiloAgents.On(silo)</c>.
/// </summary>
[Alias("Assistant.Silos.ISiloAgent")]
public interface ISiloAgent : IGrainService
{
    [Alias("GetSessionReport")]
    Task<SiloSessionReport> GetSessionReportAsync(int largest);

    [Alias("GetTelegramCounters")]
    Task<Assistant.Telegram.TelegramSiloCounters> GetTelegramCountersAsync();
}
