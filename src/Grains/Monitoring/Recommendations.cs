using System.Globalization;

namespace Assistant.Monitoring;

/// <summary>Concrete sentences from the current state; "System performing well" when nothing is wrong.</summary>
public static class Recommendations
{
    public const string AllWell = "System performing well";

    /// <summary>A few lines for the model's health tool and the Telegram /status command.</summary>
    public static string Summary(ClusterResources c, double score, IReadOnlyList<PerformanceAlert> alerts, bool emergency, bool throttling, MonitoringOptions options)
    {
        var lines = new List<string>
        {
            $"Health score {F(score)}/100 across {c.Silos} silo(s).",
            $"Memory {F(c.MemoryMb)} MB ({F(c.MemoryUtilizationPercent)} % of the {F(options.MemoryLimitMb)} MB limit per silo), CPU {F(c.CpuPercent)} %, {c.ActiveSessions} active sessions ({F(c.SessionLoadPercent)} % of capacity).",
        };
        if (emergency || throttling)
        {
            lines.Add($"Emergency mode {(emergency ? "on" : "off")}, CPU throttling {(throttling ? "on" : "off")}.");
        }

        lines.Add(alerts.Count == 0 ? "No alerts." : "Alerts: " + string.Join(" ", alerts.Select(a => $"[{a.Severity.ToString().ToLowerInvariant()}] {a.Message}")));
        return string.Join('\n', lines);
    }

    public static IReadOnlyList<string> For(ClusterResources cluster, double score, IReadOnlyList<PerformanceAlert> alerts, bool emergency, bool throttling, MonitoringOptions options)
    {
        var list = new List<string>();
        if (emergency)
        {
            list.Add($"Emergency mode: memory went over {F(options.EmergencyMemoryMb)} MB on a silo; idle sessions are being deactivated and contexts pruned until it is under {F(options.EmergencyExitMemoryMb)} MB.");
        }

        if (throttling)
        {
            list.Add($"CPU throttling is on: at most {options.ThrottleConcurrency} chat requests per silo run at once and the rest wait or get 429 until CPU is under {F(options.ThrottleExitCpuPercent)} %.");
        }

        foreach (var alert in alerts.Where(a => a.Severity >= AlertSeverity.Medium).DistinctBy(a => (a.AlertType, a.Silo)))
        {
            list.Add($"{alert.Message} {alert.RecommendedAction}");
        }

        if (cluster.SessionLoadPercent > options.SessionLoadPercent && alerts.All(a => a.AlertType != AlertRules.SessionOverflow))
        {
            list.Add($"{cluster.ActiveSessions} active sessions ({F(cluster.SessionLoadPercent)} % of capacity): inactive sessions will be cleaned up.");
        }

        if (list.Count == 0 && score >= options.HealthScoreWarning && alerts.Count == 0)
        {
            list.Add(AllWell);
        }
        else if (list.Count == 0)
        {
            list.Add($"Health score {F(score)}: watch memory ({F(cluster.MemoryUtilizationPercent)} % of the limit) and CPU ({F(cluster.CpuPercent)} %).");
        }

        return list;
    }

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
