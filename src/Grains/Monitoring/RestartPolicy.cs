using Assistant.Restarts;
using Microsoft.Extensions.Logging;

namespace Assistant.Monitoring;

/// <summary>
/// When the monitor asks for a restart, and what it does with the answer. A restart is asked for
/// only where one can help: a silo over <c>Restart:MemoryLimitMb</c> (whatever else is open) or,
/// with <c>Restart:OnCriticalAlerts</c>, a critical alert that a restart clears (memory, never
/// disk). A refused restart is asked for again when the refusal says it may be (its backoff, or the
/// hour's oldest restart ageing out); a silo that nothing would start again gets a
/// <c>restart_needed</c> alert instead.
/// </summary>
internal sealed partial class RestartPolicy(
    IGrainFactory grains,
    AlertEscalation alerts,
    RestartOptions restart,
    MonitoringOptions monitoring,
    ILogger logger)
{
    public const string RestartNeeded = "restart_needed";
    public const string RestartRefused = "restart_refused";

    /// <summary>The silos a restart would help this cycle, each with one reason.</summary>
    public IReadOnlyList<RestartCommand> Needs(IReadOnlyList<ResourceSnapshot> snapshots, IReadOnlyList<PerformanceAlert> cycleAlerts)
    {
        var needs = new List<RestartCommand>();
        foreach (var s in snapshots)
        {
            if (s.MemoryMb > restart.MemoryLimitMb)
            {
                needs.Add(new RestartCommand(s.Silo, $"memory {s.MemoryMb} MB over Restart:MemoryLimitMb {restart.MemoryLimitMb} MB", RestartCommand.MemoryLimit));
            }
            else if (restart.OnCriticalAlerts && cycleAlerts.FirstOrDefault(a => a.Silo == s.Silo && a.Severity == AlertSeverity.Critical && AlertRules.RestartHelps(a.AlertType)) is { } alert)
            {
                needs.Add(new RestartCommand(s.Silo, $"{alert.AlertType}: {alert.Message}", RestartCommand.CriticalAlert));
            }
        }

        return needs;
    }

    /// <summary>Asks for the restarts that are due; true when the monitor's state changed.</summary>
    /// <param name="snapshots">This cycle's snapshots: an alert about a silo carries its snapshot.</param>
    public async Task<bool> ActAsync(ResourceMonitorState state, IReadOnlyList<RestartCommand> needs, IReadOnlyList<ResourceSnapshot> snapshots, DateTimeOffset now)
    {
        var dirty = false;
        foreach (var silo in state.RestartNotBefore.Where(kv => kv.Value <= now).Select(kv => kv.Key).ToList())
        {
            state.RestartNotBefore.Remove(silo);
            dirty = true;
        }

        foreach (var need in needs.Where(n => !state.RestartNotBefore.ContainsKey(n.Silo)))
        {
            dirty |= await AskAsync(state, need, snapshots.FirstOrDefault(s => s.Silo == need.Silo), now);
        }

        return dirty;
    }

    private async Task<bool> AskAsync(ResourceMonitorState state, RestartCommand need, ResourceSnapshot? snapshot, DateTimeOffset now)
    {
        var cooldown = now + TimeSpan.FromMinutes(monitoring.AlertCooldownMinutes);
        if (!restart.AutoRestart)
        {
            return Record(state, need, "not requested: Restart:AutoRestart is off", now, notBefore: cooldown);
        }

        RestartDecision decision;
        try
        {
            decision = await grains.GetGrain<IRestartManagerGrain>(0).RequestAsync(need);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Record(state, need, $"failed: {ex.Message}", now, notBefore: null); // asked again next cycle
        }

        if (decision.AlreadyRestarting)
        {
            return false;
        }

        if (decision.Accepted)
        {
            return Record(state, need, "restarting", now, notBefore: null);
        }

        if (decision.Unsupervised)
        {
            await alerts.RaiseAsync(state, [new PerformanceAlert(RestartNeeded, AlertSeverity.High, $"{need.Silo}: needs a restart ({need.Reason}). {decision.Message}", now, need.Silo, snapshot,
                "Restart the silo by hand (stop it and start it again); run it supervised (scripts/start.sh or the systemd unit) so the monitor can do it.")], now);
            return Record(state, need, "not restarted: the silo is not supervised", now, notBefore: cooldown);
        }

        await alerts.RaiseAsync(state, [new PerformanceAlert(RestartRefused, AlertSeverity.High, decision.Message, now, need.Silo, snapshot,
            "Find out why the silo keeps needing restarts (see /resources/status and logs/system.log) before restarting it by hand.")], now);
        return Record(state, need, $"refused: {decision.Message}", now, notBefore: decision.RetryAt ?? cooldown);
    }

    private bool Record(ResourceMonitorState state, RestartCommand need, string outcome, DateTimeOffset now, DateTimeOffset? notBefore)
    {
        state.Record(new RestartRequest(now, need.Silo, need.Reason, outcome));
        if (notBefore is { } at)
        {
            state.RestartNotBefore[need.Silo] = at;
        }

        LogRestartRequested(logger, need.Silo, need.Reason, outcome);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restart of silo {Silo} requested ({Reason}): {Outcome}")]
    private static partial void LogRestartRequested(ILogger logger, string silo, string reason, string outcome);
}
