using System.Globalization;
using Assistant.Sessions;
using Assistant.Silos;
using Assistant.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Monitoring;

/// <summary>
/// The ResourceMonitor. The health cycle (grain timer) samples every silo, scores the cluster,
/// raises alerts and switches emergency mode and throttling with hysteresis; the optimisation,
/// cleanup and daily cycles are reminders, so they go on after a restart or a failover without
/// any request arriving.
/// </summary>
[KeepAlive]
internal sealed partial class ResourceMonitorGrain(
    [PersistentState("monitor")] IPersistentState<ResourceMonitorState> state,
    ISiloAgents agents,
    AlertNotifier notifier,
    Metrics.AssistantMetrics metrics,
    SessionDirectory directory,
    ServerTasks tasks,
    IOptions<MonitoringOptions> monitoringOptions,
    IOptions<ChatSessionOptions> sessionOptions,
    IOptions<Restarts.RestartOptions> restartOptions,
    ILocalSiloDetails silo,
    IReminderTable reminders,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<ResourceMonitorGrain> logger) : Grain, IResourceMonitorGrain, IRemindable
{
    private const string OptimizeReminder = "optimize";
    private const string CleanupReminder = "cleanup";
    private const string DailyReminder = "daily";

    private readonly MonitoringOptions _options = monitoringOptions.Value;
    private readonly Queue<HealthSample> _history = new();
    private readonly Dictionary<string, Queue<(DateTimeOffset At, double Cpu)>> _cpu = [];
    private AlertRules? _rules;
    private IReadOnlyList<ResourceSnapshot> _latest = [];
    private IReadOnlyList<PerformanceAlert> _alerts = [];
    private ClusterResources _cluster = new(0, 0, 0, 0, 0, 0);
    private double _score = 100;
    private bool _emergency;
    private bool _throttling;
    private DateTimeOffset _lastEmergencyCleanup = DateTimeOffset.MinValue;
    private DateTimeOffset? _lastCycleAt;
    private long _cycles;
    private CleanupResult? _lastCleanup;

    private AlertRules Rules => _rules ??= new AlertRules(_options);

    private int HistoryCapacity => (int)Math.Max(1, _options.HistoryHours * 3600 / _options.HealthIntervalSeconds);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await this.EnsureAsync(reminders, OptimizeReminder, TimeSpan.FromSeconds(_options.OptimizationIntervalSeconds));
        await this.EnsureAsync(reminders, CleanupReminder, TimeSpan.FromMinutes(_options.CleanupIntervalMinutes));
        await this.EnsureAsync(reminders, DailyReminder, TimeSpan.FromHours(_options.DailyIntervalHours));
        var every = TimeSpan.FromSeconds(_options.HealthIntervalSeconds);
        this.RegisterGrainTimer(HealthCycleAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), every) { KeepAlive = true });
        LogStarted(logger, silo.Name);
    }

    public Task EnsureRunningAsync() => Task.CompletedTask; // Activation starts the cycles.

    public async Task<MonitorStatus> GetStatusAsync(int history, bool refresh)
    {
        if (refresh || _lastCycleAt is null)
        {
            await HealthCycleAsync(CancellationToken.None);
        }

        return new MonitorStatus(
            _cluster,
            _score,
            _alerts,
            Recommendations.For(_cluster, _score, _alerts, _emergency, _throttling, _options),
            _emergency,
            _throttling,
            state.State.EmergencyCleanups,
            [.. _latest.Select(s => new SiloHealth(s.Silo, s, HealthScore.For(s, _options.SessionCapacity), Math.Round(100.0 * s.ActiveSessions / _options.SessionCapacity, 1)))],
            [.. _history.TakeLast(Math.Clamp(history, 0, HistoryCapacity))],
            [.. state.State.RecentAlerts],
            [.. state.State.RestartRequests],
            _lastCycleAt,
            _cycles,
            silo.Name,
            _lastCleanup);
    }

    public async Task<CleanupResult> CleanupAsync(string reason)
    {
        var result = await CleanupAcrossAsync(reason, TimeSpan.FromMinutes(_options.EmergencyIdleMinutes), pruneContexts: true, compactHeap: true, clearInactive: true, onlyOver: null);
        return result;
    }

    public async Task<string> GetSummaryAsync()
    {
        if (_lastCycleAt is null)
        {
            await HealthCycleAsync(CancellationToken.None);
        }

        var c = _cluster;
        var lines = new List<string>
        {
            $"Health score {F(_score)}/100 across {c.Silos} silo(s).",
            $"Memory {F(c.MemoryMb)} MB ({F(c.MemoryUtilizationPercent)} % of the {F(_options.MemoryLimitMb)} MB limit per silo), CPU {F(c.CpuPercent)} %, {c.ActiveSessions} active sessions ({F(c.SessionLoadPercent)} % of capacity).",
        };
        if (_emergency || _throttling)
        {
            lines.Add($"Emergency mode {(_emergency ? "on" : "off")}, CPU throttling {(_throttling ? "on" : "off")}.");
        }

        lines.Add(_alerts.Count == 0 ? "No alerts." : "Alerts: " + string.Join(" ", _alerts.Select(a => $"[{a.Severity.ToString().ToLowerInvariant()}] {a.Message}")));
        return string.Join('\n', lines);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        switch (reminderName)
        {
            case OptimizeReminder:
                await OptimizeAsync();
                break;
            case CleanupReminder:
                await CleanupAcrossAsync("cleanup cycle", TimeSpan.FromMinutes(sessionOptions.Value.IdleMinutes), pruneContexts: false, compactHeap: false, clearInactive: true, onlyOver: null);
                break;
            case DailyReminder:
                await DailyAsync();
                break;
        }
    }

    private async Task HealthCycleAsync(CancellationToken cancellationToken)
    {
        var snapshots = await SampleAllAsync();
        if (snapshots.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        _latest = snapshots;
        _cluster = HealthScore.Cluster(snapshots, _options.SessionCapacity);
        _score = HealthScore.For(_cluster);
        _history.Enqueue(new HealthSample(now, _score, _cluster.MemoryMb, _cluster.CpuPercent, _cluster.ActiveSessions));
        while (_history.Count > HistoryCapacity)
        {
            _history.Dequeue();
        }

        var alerts = new List<PerformanceAlert>();
        foreach (var snapshot in snapshots)
        {
            alerts.AddRange(Rules.ForSilo(snapshot, CpuHistory(snapshot)));
        }

        alerts.AddRange(Rules.ForCluster(_score, now));
        _alerts = alerts;
        _lastCycleAt = now;
        _cycles++;
        LogCycle(logger, _score, _cluster.MemoryMb, _cluster.MemoryUtilizationPercent, _cluster.CpuPercent, _cluster.ActiveSessions, _cluster.Silos);

        var dirty = await EscalateAsync(alerts, now);
        foreach (var over in snapshots.Where(s => s.MemoryMb > restartOptions.Value.MemoryLimitMb && !alerts.Any(a => a.Silo == s.Silo && a.Severity == AlertSeverity.Critical)))
        {
            await RequestRestartAsync(over.Silo, $"memory {over.MemoryMb} MB over Restart:MemoryLimitMb {restartOptions.Value.MemoryLimitMb} MB", Restarts.RestartCommand.MemoryLimit, now);
            dirty = true;
        }

        await DecidePressureAsync(snapshots, now);
        dirty |= await RelieveAsync(snapshots, now);
        if (dirty)
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }

    private async Task<List<ResourceSnapshot>> SampleAllAsync()
    {
        var silos = await agents.ActiveSilosAsync();
        var samples = await Task.WhenAll(silos.Select(async s =>
        {
            try
            {
                return await agents.On(s.Address).SampleAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSiloUnreachable(logger, s.Name, ex.Message);
                return null;
            }
        }));
        return [.. samples.OfType<ResourceSnapshot>().OrderBy(s => s.Silo, StringComparer.Ordinal)];
    }

    /// <summary>The silo's earlier CPU samples (oldest first), then records this one.</summary>
    private List<(DateTimeOffset At, double Cpu)> CpuHistory(ResourceSnapshot snapshot)
    {
        if (!_cpu.TryGetValue(snapshot.Silo, out var samples))
        {
            _cpu[snapshot.Silo] = samples = new Queue<(DateTimeOffset, double)>();
        }

        var earlier = samples.ToList();
        samples.Enqueue((snapshot.Timestamp, snapshot.CpuPercent));
        var keep = snapshot.Timestamp - TimeSpan.FromSeconds(_options.CpuSustainedSeconds + (2 * _options.HealthIntervalSeconds));
        while (samples.Count > 0 && samples.Peek().At < keep)
        {
            samples.Dequeue();
        }

        return earlier;
    }

    /// <summary>Low alerts are logged; medium and up are delivered once per cooldown; critical also requests a restart.</summary>
    private async Task<bool> EscalateAsync(List<PerformanceAlert> alerts, DateTimeOffset now)
    {
        var gate = new AlertGate(state.State.AlertDeliveries, TimeSpan.FromMinutes(_options.AlertCooldownMinutes));
        gate.Trim(now);
        var dirty = false;
        foreach (var alert in alerts)
        {
            if (alert.Severity == AlertSeverity.Low)
            {
                LogLowAlert(logger, alert.AlertType, alert.Message);
                metrics.Alert(alert.Severity);
                continue;
            }

            if (!gate.ShouldDeliver(alert, now))
            {
                continue;
            }

            metrics.Alert(alert.Severity);
            dirty = true;
            if (alert.Severity == AlertSeverity.Critical)
            {
                LogCriticalAlert(logger, alert.AlertType, alert.Message);
            }
            else
            {
                LogAlert(logger, alert.Severity.ToString().ToLowerInvariant(), alert.AlertType, alert.Message);
            }

            state.State.RecentAlerts.Add(alert);
            if (state.State.RecentAlerts.Count > ResourceMonitorState.RecentLimit)
            {
                state.State.RecentAlerts.RemoveAt(0);
            }

            await notifier.DeliverAsync(alert);
            if (alert.Severity == AlertSeverity.Critical && restartOptions.Value.OnCriticalAlerts && alert.Silo != AlertRules.ClusterSilo)
            {
                await RequestRestartAsync(alert.Silo, $"{alert.AlertType}: {alert.Message}", Restarts.RestartCommand.CriticalAlert, now);
            }
        }

        return dirty;
    }

    /// <summary>Asks the restart manager to restart a silo (when automatic restarts are on) and records the answer.</summary>
    private async Task RequestRestartAsync(string silo, string reason, string source, DateTimeOffset now)
    {
        // After a refusal, the same silo is not asked about again until the alert cooldown has passed.
        var refusedKey = $"restart_refused@{silo}";
        if (state.State.AlertDeliveries.TryGetValue(refusedKey, out var refusedAt) && now - refusedAt < TimeSpan.FromMinutes(_options.AlertCooldownMinutes))
        {
            return;
        }

        string outcome;
        if (!restartOptions.Value.AutoRestart)
        {
            outcome = "not requested: Restart:AutoRestart is off";
        }
        else
        {
            try
            {
                var decision = await GrainFactory.GetGrain<Restarts.IRestartManagerGrain>(0).RequestAsync(new Restarts.RestartCommand(silo, reason, source));
                if (decision.AlreadyRestarting)
                {
                    return;
                }

                outcome = decision.Accepted ? "restarting" : $"refused: {decision.Message}";
                if (!decision.Accepted)
                {
                    // The restart manager has already delivered this alert; here it joins the record and the log.
                    state.State.AlertDeliveries[refusedKey] = now;
                    var refused = new PerformanceAlert("restart_refused", AlertSeverity.High, decision.Message, now, silo, null,
                        "Find out why the silo keeps needing restarts before restarting it by hand.");
                    state.State.RecentAlerts.Add(refused);
                    LogAlert(logger, "high", refused.AlertType, refused.Message);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                outcome = $"failed: {ex.Message}";
            }
        }

        state.State.RestartRequests.Add(new RestartRequest(now, silo, reason, outcome));
        if (state.State.RestartRequests.Count > ResourceMonitorState.RecentLimit)
        {
            state.State.RestartRequests.RemoveAt(0);
        }

        LogRestartRequested(logger, silo, reason, outcome);
    }

    /// <summary>Emergency mode and throttling, each with hysteresis, pushed to every silo.</summary>
    private async Task DecidePressureAsync(List<ResourceSnapshot> snapshots, DateTimeOffset now)
    {
        var memory = snapshots.Max(s => s.MemoryMb);
        var cpu = snapshots.Max(s => s.CpuPercent);
        if (!_emergency && memory > _options.EmergencyMemoryMb)
        {
            _emergency = true;
            LogEmergency(logger, "on", memory);
        }
        else if (_emergency && memory < _options.EmergencyExitMemoryMb)
        {
            _emergency = false;
            LogEmergency(logger, "off", memory);
        }

        if (!_throttling && cpu > _options.ThrottleCpuPercent)
        {
            _throttling = true;
            LogThrottling(logger, "on", cpu);
        }
        else if (_throttling && cpu < _options.ThrottleExitCpuPercent)
        {
            _throttling = false;
            LogThrottling(logger, "off", cpu);
        }

        var silos = await agents.ActiveSilosAsync();
        await Task.WhenAll(silos.Select(async s =>
        {
            try
            {
                await agents.On(s.Address).ApplyPressureAsync(_throttling, _emergency, _score).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSiloUnreachable(logger, s.Name, ex.Message);
            }
        }));
    }

    /// <summary>Emergency cleanup while in emergency mode (at most once per cooldown); inactive-session cleanup on silos over the session load.</summary>
    private async Task<bool> RelieveAsync(List<ResourceSnapshot> snapshots, DateTimeOffset now)
    {
        var dirty = false;
        if (_emergency && now - _lastEmergencyCleanup >= TimeSpan.FromSeconds(_options.EmergencyCleanupCooldownSeconds))
        {
            _lastEmergencyCleanup = now;
            var over = snapshots.Where(s => s.MemoryMb > _options.EmergencyExitMemoryMb).Select(s => s.Silo).ToHashSet();
            await CleanupAcrossAsync("emergency cleanup", TimeSpan.FromMinutes(_options.EmergencyIdleMinutes), pruneContexts: true, compactHeap: true, clearInactive: false, onlyOver: over);
            state.State.EmergencyCleanups++;
            metrics.EmergencyCleanup();
            dirty = true;
        }

        var crowded = snapshots.Where(s => 100.0 * s.ActiveSessions / _options.SessionCapacity > _options.SessionLoadPercent).Select(s => s.Silo).ToHashSet();
        if (crowded.Count > 0)
        {
            await CleanupAcrossAsync("session load", TimeSpan.FromMinutes(_options.EmergencyIdleMinutes), pruneContexts: false, compactHeap: false, clearInactive: false, onlyOver: crowded);
        }

        return dirty;
    }

    private async Task OptimizeAsync()
    {
        var snapshots = await SampleAllAsync();
        var heavy = snapshots.Where(s => s.MemoryUtilizationPercent > _options.OptimizeAbovePercent).Select(s => s.Silo).ToHashSet();
        if (heavy.Count > 0)
        {
            // Nobody is deactivated here (idle limit of a day); contexts are cut to the pressure window.
            await CleanupAcrossAsync("optimisation cycle", TimeSpan.FromDays(1), pruneContexts: true, compactHeap: false, clearInactive: false, onlyOver: heavy);
        }
    }

    private async Task DailyAsync()
    {
        var now = time.GetUtcNow();
        var deleted = await tasks.DeleteFinishedBeforeAsync(now - TimeSpan.FromDays(_options.TaskRetentionDays));
        state.State.LastDailyRun = now;
        await state.WriteStateAsync();
        LogDaily(logger, deleted, _options.TaskRetentionDays);
    }

    private async Task<CleanupResult> CleanupAcrossAsync(string reason, TimeSpan idle, bool pruneContexts, bool compactHeap, bool clearInactive, HashSet<string>? onlyOver)
    {
        var silos = await agents.ActiveSilosAsync();
        var parts = await Task.WhenAll(silos.Select(async s =>
        {
            try
            {
                if (onlyOver is not null && !onlyOver.Contains(s.Name))
                {
                    return null;
                }

                return await agents.On(s.Address).CleanupSessionsAsync(idle, pruneContexts, compactHeap);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSiloUnreachable(logger, s.Name, ex.Message);
                return null;
            }
        }));
        var cleared = clearInactive ? await ClearInactiveContextsAsync() : 0;
        var done = parts.OfType<SessionCleanup>().ToList();
        var result = new CleanupResult(
            time.GetUtcNow(),
            reason,
            done.Sum(p => p.SessionsDeactivated),
            done.Sum(p => p.MessagesPruned),
            cleared,
            Math.Round(Math.Max(0, done.Sum(p => p.MemoryBeforeMb - p.MemoryAfterMb)), 1),
            done);
        _lastCleanup = result;
        LogCleanup(logger, reason, result.SessionsDeactivated, result.MessagesPruned, result.ContextsCleared, result.MemoryFreedMb);
        return result;
    }

    private async Task<int> ClearInactiveContextsAsync()
    {
        var inactivity = TimeSpan.FromHours(sessionOptions.Value.InactiveContextHours);
        var ids = await directory.FindInactiveAsync(time.GetUtcNow() - inactivity, _options.ClearContextsPerCycle);
        var cleared = 0;
        foreach (var id in ids)
        {
            if (await GrainFactory.GetGrain<IChatSessionGrain>(id).ClearIfInactiveAsync(inactivity))
            {
                cleared++;
            }
        }

        return cleared;
    }

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "ResourceMonitor started on silo {Silo}")]
    private static partial void LogStarted(ILogger logger, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health cycle: score {Score}, memory {MemoryMb} MB ({MemoryPercent} %), CPU {Cpu} %, {Sessions} sessions, {Silos} silo(s)")]
    private static partial void LogCycle(ILogger logger, double score, double memoryMb, double memoryPercent, double cpu, int sessions, int silos);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert (low) {AlertType}: {Message}")]
    private static partial void LogLowAlert(ILogger logger, string alertType, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert ({Severity}) {AlertType}: {Message}")]
    private static partial void LogAlert(ILogger logger, string severity, string alertType, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert (critical) {AlertType}: {Message}")]
    private static partial void LogCriticalAlert(ILogger logger, string alertType, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restart of silo {Silo} requested ({Reason}): {Outcome}")]
    private static partial void LogRestartRequested(ILogger logger, string silo, string reason, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Emergency mode {State} (highest silo memory {MemoryMb} MB)")]
    private static partial void LogEmergency(ILogger logger, string state, double memoryMb);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CPU throttling {State} (highest silo CPU {Cpu} %)")]
    private static partial void LogThrottling(ILogger logger, string state, double cpu);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cleanup ({Reason}): {Deactivated} sessions deactivated, {Pruned} messages pruned, {Cleared} contexts cleared, {FreedMb} MB freed")]
    private static partial void LogCleanup(ILogger logger, string reason, int deactivated, int pruned, int cleared, double freedMb);

    [LoggerMessage(Level = LogLevel.Information, Message = "Daily task: deleted {Deleted} finished server_tasks rows older than {Days} days")]
    private static partial void LogDaily(ILogger logger, int deleted, double days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitor: silo {Silo} did not answer ({Reason})")]
    private static partial void LogSiloUnreachable(ILogger logger, string silo, string reason);
}
