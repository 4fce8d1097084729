using Assistant.Silos;
using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>Builds the cluster-wide sessions report from every active silo's part.</summary>
public sealed partial class SessionReports(ISiloAgents agents, ILogger<SessionReports> logger)
{
    public async Task<SessionsReport> BuildAsync(int largest, CancellationToken cancellationToken = default)
    {
        var silos = await agents.ActiveSilosAsync();
        var parts = await Task.WhenAll(silos.Select(silo => TryGetAsync(silo.Address, largest, cancellationToken)));
        return SessionsReport.Merge([.. parts.OfType<SiloSessionReport>()], largest);
    }

    private async Task<SiloSessionReport?> TryGetAsync(SiloAddress silo, int largest, CancellationToken cancellationToken)
    {
        try
        {
            return await agents.On(silo).GetSessionReportAsync(largest).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A silo that died a moment ago is still listed as Active until it is declared dead.
            LogSiloUnreachable(logger, ex, silo.ToString());
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sessions report: silo {Silo} did not answer; its sessions are left out")]
    private static partial void LogSiloUnreachable(ILogger logger, Exception exception, string silo);
}
