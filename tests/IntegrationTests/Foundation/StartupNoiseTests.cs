using Assistant.Silo.Hosting;
using Serilog.Events;
using Serilog.Parsing;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>The start-up filter drops exactly the known warnings, by logger and text, and nothing else.</summary>
public sealed class StartupNoiseTests
{
    [Fact]
    public void The_dashboards_start_up_warnings_are_dropped_and_the_same_words_elsewhere_are_kept()
    {
        const string text = "Unable to activate silo grain service during startup. The service will be activated on first use.";
        Assert.True(StartupNoise.IsKnown(Event("Orleans.Dashboard.DashboardHost", text)));
        Assert.False(StartupNoise.IsKnown(Event("Assistant.Silos.SiloAgent", text)));
        Assert.False(StartupNoise.IsKnown(Event("Orleans.Dashboard.DashboardHost", text, LogEventLevel.Error)));
        Assert.False(StartupNoise.IsKnown(Event("Orleans.Dashboard.DashboardHost", "Something else went wrong")));
    }

    [Fact]
    public void Only_the_dashboards_placement_retries_are_dropped()
    {
        var dashboard = new InvalidOperationException("No active nodes are compatible with grain dashboard and interface Orleans.Dashboard.Core.IDashboardGrain version 0.");
        var ours = new InvalidOperationException("No active nodes are compatible with grain resourcemonitor and interface Assistant.Monitoring.IResourceMonitorGrain version 0.");
        Assert.True(StartupNoise.IsKnown(Event("Polly", "Execution attempt.", exception: dashboard)));
        Assert.False(StartupNoise.IsKnown(Event("Polly", "Execution attempt.", exception: ours)));
        Assert.True(StartupNoise.IsKnown(Event("Polly", "Execution attempt.", LogEventLevel.Error, dashboard)));
        Assert.False(StartupNoise.IsKnown(Event("Polly", "Execution attempt.", LogEventLevel.Error, ours)));
        Assert.False(StartupNoise.IsKnown(Event("Polly", "Execution attempt.", LogEventLevel.Fatal, dashboard)));
    }

    [Fact]
    public void A_watchdog_stall_longer_than_the_process_has_lived_is_dropped_and_a_real_one_is_kept()
    {
        const string text = "Participant check thread has not completed for {TimeSinceLastTick}, potentially indicating lock contention";
        var uptime = DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime;
        Assert.True(StartupNoise.IsKnown(Event("Orleans.Runtime.Watchdog", text, property: ("TimeSinceLastTick", uptime + TimeSpan.FromDays(1)))));
        Assert.False(StartupNoise.IsKnown(Event("Orleans.Runtime.Watchdog", text, property: ("TimeSinceLastTick", uptime / 2))));
    }

    [Fact]
    public void Only_orleans_notes_about_server_gc_are_dropped_from_the_silos_log()
    {
        const string note = "Note: Silo not running with ServerGC turned on - recommend checking app config : <configuration>-<runtime>-<gcServer enabled=\"true\">";
        const string multiCore = "Note: ServerGC only kicks in on multi-core systems (settings enabling ServerGC have no effect on single-core machines).";
        Assert.False(System.Runtime.GCSettings.IsServerGC); // the test host runs workstation GC, as the silo does
        Assert.True(StartupNoise.IsKnown(Event("Orleans.Runtime.Silo", note)));
        Assert.True(StartupNoise.IsKnown(Event("Orleans.Runtime.Silo", multiCore)));
        Assert.False(StartupNoise.IsKnown(Event("Orleans.Runtime.Silo", "Silo starting with GC settings: ServerGC={ServerGC} GCLatencyMode={GCLatencyMode}", LogEventLevel.Information)));
        Assert.False(StartupNoise.IsKnown(Event("Orleans.Runtime.Silo", "Silo failed to start")));
        Assert.False(StartupNoise.IsKnown(Event("Assistant.Silo", note)));
    }

    private static LogEvent Event(string source, string text, LogEventLevel level = LogEventLevel.Warning, Exception? exception = null, (string Name, object Value)? property = null)
    {
        var properties = new List<LogEventProperty> { new("SourceContext", new ScalarValue(source)) };
        if (property is { } p)
        {
            properties.Add(new LogEventProperty(p.Name, new ScalarValue(p.Value)));
        }

        return new LogEvent(DateTimeOffset.Now, level, exception, new MessageTemplateParser().Parse(text), properties);
    }
}
