using Microsoft.Extensions.Logging;

namespace Assistant.Monitoring;

/// <summary>
/// What happens to the alerts of a cycle: low ones are logged; medium and up pass the cooldown
/// gate once per type and silo, are logged, recorded and handed to the alert outbox, which
/// delivers them in the background (the cycle never waits on a webhook or Telegram). A disk
/// alert also asks the silo to free disk, which a restart would not.
/// </summary>
internal sealed partial class AlertEscalation(
    IGrainFactory grains,
    ClusterSampling silos,
    Metrics.AssistantMetrics metrics,
    MonitoringOptions options,
    ILogger logger)
{
    /// <summary>Raises the alerts; true when the monitor's state changed (a delivery was recorded).</summary>
    public async Task<bool> RaiseAsync(ResourceMonitorState state, IEnumerable<PerformanceAlert> alerts, DateTimeOffset now)
    {
        var gate = new AlertGate(state.AlertDeliveries, TimeSpan.FromMinutes(options.AlertCooldownMinutes));
        gate.Trim(now);
        var dirty = false;
        foreach (var alert in alerts)
        {
            if (alert.Severity == AlertSeverity.Low)
            {
                AlertLog.Raised(logger, alert);
                metrics.Alert(alert.Severity);
                continue;
            }

            if (!gate.ShouldDeliver(alert, now))
            {
                continue;
            }

            AlertLog.Raised(logger, alert);

            if (alert.AlertType == AlertRules.DiskSpace)
            {
                await RelieveDiskAsync(alert);
            }

            if (!await EnqueueAsync(alert))
            {
                gate.Undo(alert);
                continue;
            }

            metrics.Alert(alert.Severity);
            dirty = true;
            state.Record(alert);
        }

        return dirty;
    }

    /// <returns>False when the outbox could not store it (bounded: a cycle does not wait on a stuck outbox).</returns>
    private async Task<bool> EnqueueAsync(PerformanceAlert alert)
    {
        try
        {
            await grains.GetGrain<IAlertDeliveryGrain>(0).EnqueueAsync(alert).WaitAsync(TimeSpan.FromSeconds(10));
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotQueued(logger, alert.AlertType, ex.Message);
            return false;
        }
    }

    private async Task RelieveDiskAsync(PerformanceAlert alert)
    {
        var freed = await silos.OnEachAsync(s => s.Name == alert.Silo, a => a.RelieveDiskAsync(critical: alert.Severity == AlertSeverity.Critical));
        foreach (var summary in freed)
        {
            LogDiskRelief(logger, alert.Silo, summary);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert {AlertType} could not be queued for delivery ({Reason}); the next health cycle raises it again")]
    private static partial void LogNotQueued(ILogger logger, string alertType, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disk full on silo {Silo}: a restart would free nothing, so disk was freed instead: {Summary}")]
    private static partial void LogDiskRelief(ILogger logger, string silo, string summary);
}
