using Serilog.Events;

namespace Assistant.Silo.Hosting;

/// <summary>
/// The warnings a clean start writes that cannot be prevented at their source, each matched by its
/// logger and its text, so that nothing else from those loggers is hidden. Three come from the
/// Orleans Dashboard package, which calls its grains while the silo it runs in is still starting and
/// retries on its own: its host asks its silo grain service for a version before grain services
/// start (the dashboard warns, and the message center warns of the rejected message), and its
/// dashboard grain is placed before this silo is in the cluster manifest (Polly warns of the
/// placement retry twice per attempt, at ERROR on the last; on a loaded machine its retries can run
/// out, and the messaging layer then reports the undeliverable one-way InitializeAsync twice:
/// the dashboard package's own start-up call, which nothing of this service waits for). And Orleans' watchdog, when its timer ticks before its
/// component check has run once, reports a stall as long as the machine's uptime (it measures
/// from a timestamp still zero); a stall longer than this process has lived is that, never a real one.
/// And Orleans' two notes that the silo does not run Server GC, which this service declines on
/// purpose (Silo.csproj says why), dropped only while it does not; the line before them, at INFO,
/// still says which GC runs.
/// Our own singletons wait for the manifest instead
/// (<c>SingletonKeeper</c>), and the data-protection key warning is prevented where it starts
/// (<c>ApiServices</c>).
/// </summary>
public static class StartupNoise
{
    public static bool IsKnown(LogEvent e)
    {
        if (e.Level is not (LogEventLevel.Warning or LogEventLevel.Error) || !e.Properties.TryGetValue("SourceContext", out var value) || value is not ScalarValue { Value: string source })
        {
            return false;
        }

        var text = e.MessageTemplate.Text;
        var warning = e.Level == LogEventLevel.Warning;
        return source switch
        {
            "Orleans.Dashboard.DashboardHost" => warning && text.StartsWith("Unable to activate silo grain service during startup", StringComparison.Ordinal),
            "Orleans.Runtime.Messaging.MessageCenter" => warning && Rendered(e).Contains("Orleans.Dashboard.Core.ISiloGrainService", StringComparison.Ordinal)
                && Rendered(e).Contains("unknown SystemTarget", StringComparison.Ordinal),
            "Orleans.Runtime.Watchdog" => warning && text.StartsWith("Participant check thread has not completed", StringComparison.Ordinal)
                && e.Properties.TryGetValue("TimeSinceLastTick", out var stall) && stall is ScalarValue { Value: TimeSpan elapsed }
                && elapsed > Uptime(),
            "Orleans.Runtime.Silo" => warning && !System.Runtime.GCSettings.IsServerGC
                && (text.StartsWith("Note: Silo not running with ServerGC turned on", StringComparison.Ordinal)
                    || text.StartsWith("Note: ServerGC only kicks in on multi-core systems", StringComparison.Ordinal)),
            "Polly" => e.Exception?.Message.StartsWith("No active nodes are compatible with grain dashboard ", StringComparison.Ordinal) == true,
            "Orleans.Messaging" => (text.StartsWith("Failed to address message", StringComparison.Ordinal) || text.StartsWith("Discarding rejection of message", StringComparison.Ordinal))
                && Rendered(e).Contains("Orleans.Dashboard.Core.IDashboardGrain.InitializeAsync", StringComparison.Ordinal),
            _ => false,
        };
    }

    private static TimeSpan Uptime() => DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime;

    private static string Rendered(LogEvent e) => e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture);
}
