using Assistant.Sessions;
using Assistant.Silos;
using Assistant.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Assistant.Monitoring;

/// <summary>
/// The ResourceMonitor: the cycles and what they decide. The health cycle (grain timer) samples
/// every silo (<see cref="ClusterSampling"/>), scores the cluster, raises alerts
/// (<see cref="AlertEscalation"/>), asks for restarts where they help (<see cref="RestartPolicy"/>),
/// switches emergency mode and throttling with hysteresis and cleans up under pressure
/// (<see cref="PressureModes"/>, <see cref="ClusterCleanup"/>), and keeps the history of its
/// samples (<see cref="HealthRecord"/>). The optimisation, cleanup and daily cycles are reminders, so
/// they go on after a restart or a failover. The modes, cooldowns and restart backoffs are stored,
/// so a monitor that moves to another silo carries on where it was.
/// </summary>
[KeepAlive]
internal sealed partial class ResourceMonitorGrain : Grain, IResourceMonitorGrain, IRemindable
{
    private const string OptimizeReminder = "optimize";
    private const string CleanupReminder = "cleanup";
    private const string DailyReminder = "daily";

    private readonly IPersistentState<ResourceMonitorState> _state;
    private readonly ServerTasks _tasks;
    private readonly ChatSessionOptions _sessions;
    private readonly ILocalSiloDetails _silo;
    private readonly IReminderTable _reminders;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MonitoringOptions _options;
    private readonly AlertRules _rules;
    private readonly ClusterSampling _sampling;
    private readonly AlertEscalation _alerting;
    private readonly RestartPolicy _restarts;
    private readonly ClusterCleanup _cleanup;
    private readonly HealthRecord _record;
    private readonly PressureModes _pressure;
    private IReadOnlyList<ResourceSnapshot> _latest = [];
    private IReadOnlyList<PerformanceAlert> _alerts = [];
    private IReadOnlyList<GuideBaseline> _baselines = [];
    private ClusterResources _cluster = new(0, 0, 0, 0, 0, 0);
    private double _score = 100;
    private DateTimeOffset? _scoreLowSince; // since when the score has been under Monitoring:HealthScoreWarning
    private DateTimeOffset? _lastCycleAt;
    private long _cycles;
    private CleanupResult? _lastCleanup;
    private bool _unsaved;

    public ResourceMonitorGrain(
        [PersistentState("monitor")] IPersistentState<ResourceMonitorState> state,
        ISiloAgents agents,
        Metrics.AssistantMetrics metrics,
        SessionDirectory directory,
        ServerTasks tasks,
        HealthHistoryStore store,
        IOptions<MonitoringOptions> monitoringOptions,
        IOptions<ChatSessionOptions> sessionOptions,
        IOptions<Restarts.RestartOptions> restartOptions,
        ILocalSiloDetails silo,
        IReminderTable reminders,
        IGrainFactory grains,
        [FromKeyedServices(Clock.Key)] TimeProvider time,
        ILogger<ResourceMonitorGrain> logger)
    {
        (_state, _tasks, _sessions, _silo, _reminders, _time, _logger) = (state, tasks, sessionOptions.Value, silo, reminders, time, logger);
        _options = monitoringOptions.Value;
        _rules = new AlertRules(_options);
        _record = new HealthRecord(store, _options, logger);
        _pressure = new PressureModes(_options, metrics, logger);
        _sampling = new ClusterSampling(agents, _options, logger);
        _alerting = new AlertEscalation(grains, _sampling, metrics, _options, logger);
        _restarts = new RestartPolicy(grains, _alerting, restartOptions.Value, _options, logger);
        _cleanup = new ClusterCleanup(_sampling, directory, _sessions, _options, time, logger);
    }

    private ResourceMonitorState Stored => _state.State;

    private TimeSpan CycleWindow => TimeSpan.FromSeconds(_options.HealthIntervalSeconds);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await this.EnsureAsync(_reminders, OptimizeReminder, TimeSpan.FromSeconds(_options.OptimizationIntervalSeconds));
        await this.EnsureAsync(_reminders, CleanupReminder, TimeSpan.FromMinutes(_options.CleanupIntervalMinutes));
        await this.EnsureAsync(_reminders, DailyReminder, TimeSpan.FromHours(_options.DailyIntervalHours));
        await _record.LoadAsync(_time.GetUtcNow(), cancellationToken);
        this.RegisterGrainTimer(HealthCycleAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), CycleWindow) { KeepAlive = true });
        LogStarted(_logger, _silo.Name, Stored.Emergency ? "on" : "off", Stored.Throttling ? "on" : "off");
    }

    public Task EnsureRunningAsync() => Task.CompletedTask; // Activation starts the cycles.

    public async Task<MonitorStatus> GetStatusAsync(int history, bool refresh)
    {
        if (refresh || _lastCycleAt is null)
        {
            await HealthCycleAsync(CancellationToken.None);
        }

        AlertDeliveryStatus delivery;
        try
        {
            delivery = await GrainFactory.GetGrain<IAlertDeliveryGrain>(0).GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            delivery = AlertDeliveryStatus.Unknown;
        }

        return new MonitorStatus(
            _cluster,
            _score,
            _alerts,
            Recommendations.For(_cluster, _score, _alerts, Stored.Emergency, Stored.Throttling, _options),
            Stored.Emergency,
            Stored.Throttling,
            Stored.EmergencyCleanups,
            [.. _latest.Select(s => new SiloHealth(s.Silo, s, HealthScore.For(s, _options.SessionCapacity), Math.Round(100.0 * s.ActiveSessions / _options.SessionCapacity, 1)))],
            _record.Latest(history),
            [.. Stored.RecentAlerts],
            [.. Stored.RestartRequests],
            _lastCycleAt,
            _cycles,
            _silo.Name,
            _lastCleanup,
            delivery,
            _baselines);
    }

    public Task<CleanupResult> CleanupAsync(string reason) => RunCleanupAsync(CleanupPlan.Requested(reason, TimeSpan.FromMinutes(_options.EmergencyIdleMinutes)));

    public async Task<string> GetSummaryAsync()
    {
        if (_lastCycleAt is null)
        {
            await HealthCycleAsync(CancellationToken.None);
        }

        return Recommendations.Summary(_cluster, _score, _alerts, Stored.Emergency, Stored.Throttling, _options);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        switch (reminderName)
        {
            case OptimizeReminder:
                await OptimizeAsync();
                break;
            case CleanupReminder:
                await RunCleanupAsync(CleanupPlan.Cycle(TimeSpan.FromMinutes(_sessions.IdleMinutes)));
                break;
            case DailyReminder:
                await DailyAsync();
                break;
        }
    }

    private async Task HealthCycleAsync(CancellationToken cancellationToken)
    {
        var snapshots = await _sampling.SampleAllAsync(CycleWindow);
        if (snapshots.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        _latest = snapshots;
        _cluster = HealthScore.Cluster(snapshots, _options.SessionCapacity);
        _score = HealthScore.For(_cluster);
        var sample = await _record.AddAsync(snapshots, _score, _cluster, now);

        _scoreLowSince = _score < _options.HealthScoreWarning ? _scoreLowSince ?? now : null;
        var cpu = snapshots.ToDictionary(s => s.Silo, _sampling.CpuHistory);
        _baselines = GuideBaselines.Compare(GuideBaselines.Measure(snapshots, cpu, _record.Latest(int.MaxValue), _options), _options);
        var alerts = snapshots.SelectMany(s => _rules.ForSilo(s, cpu[s.Silo]))
            .Concat(_rules.ForCluster(_score, HealthScore.ClusterSnapshot(snapshots, now), _record.MemoryGrowthPerHour(now), now - _scoreLowSince)).ToList();
        _alerts = alerts;
        _lastCycleAt = now;
        _cycles++;
        LogCycle(_logger, _score, _cluster.MemoryMb, _cluster.MemoryUtilizationPercent, _cluster.CpuPercent, _cluster.ActiveSessions, _cluster.Silos, sample.Replies, sample.ReplyP95Ms);

        _unsaved |= await _alerting.RaiseAsync(Stored, alerts, now);
        _unsaved |= await _restarts.ActAsync(Stored, _restarts.Needs(snapshots, alerts), snapshots, now);
        _unsaved |= _pressure.Decide(Stored, snapshots);
        await _sampling.PushPressureAsync(Stored.Throttling, Stored.Emergency, _score, snapshots);
        _unsaved |= await _pressure.RelieveAsync(Stored, snapshots, now, RunCleanupAsync);
        await SaveAsync();
    }

    /// <summary>
    /// Writes what changed; a failed write is tried again by the next cycle (the change stays
    /// marked unsaved), so a mode switched on during a storage fault still reaches the store.
    /// </summary>
    private async Task SaveAsync()
    {
        if (!_unsaved)
        {
            return;
        }

        try
        {
            await _state.WriteStateAsync();
            _unsaved = false;
        }
        catch (InconsistentStateException ex)
        {
            // Another writer (an activation on a silo thought dead) moved the row: what is stored is
            // the truth, and the next cycle decides again from it.
            LogStateReloaded(_logger, ex.Message);
            await _state.ReadStateAsync();
            _unsaved = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotSaved(_logger, ex.Message);
        }
    }

    private async Task OptimizeAsync()
    {
        var snapshots = await _sampling.SampleAllAsync(TimeSpan.FromSeconds(_options.OptimizationIntervalSeconds));
        var heavy = snapshots.Where(s => s.MemoryUtilizationPercent > _options.OptimizeAbovePercent).Select(s => s.Silo).ToHashSet();
        if (heavy.Count > 0)
        {
            await RunCleanupAsync(CleanupPlan.Optimisation(heavy));
        }
    }

    private async Task<CleanupResult> RunCleanupAsync(CleanupPlan plan) => _lastCleanup = await _cleanup.RunAsync(plan);

    private async Task DailyAsync()
    {
        var now = _time.GetUtcNow();
        await _record.DailyAsync(now, _baselines);
        var deleted = await _tasks.DeleteFinishedBeforeAsync(now - TimeSpan.FromDays(_options.TaskRetentionDays));
        Stored.LastDailyRun = now;
        _unsaved = true;
        await SaveAsync();
        LogDaily(_logger, deleted, _options.TaskRetentionDays);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "🚀 ResourceMonitor started on silo {Silo} (emergency mode {Emergency}, throttling {Throttling})")]
    private static partial void LogStarted(ILogger logger, string silo, string emergency, string throttling);

    [LoggerMessage(Level = LogLevel.Information, Message = "💓 Health check: score={Score} memory_mb={MemoryMb} memory_percent={MemoryPercent} cpu_percent={Cpu} active_sessions={Sessions} silos={Silos} replies={Replies} reply_p95_ms={ReplyP95Ms}")]
    private static partial void LogCycle(ILogger logger, double score, double memoryMb, double memoryPercent, double cpu, int sessions, int silos, int replies, double replyP95Ms);

    [LoggerMessage(Level = LogLevel.Error, Message = "Monitor state not saved ({Reason}); the next health cycle tries again")]
    private static partial void LogNotSaved(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitor state changed under it ({Reason}); reloaded, the next health cycle decides from it")]
    private static partial void LogStateReloaded(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Daily task: deleted {Deleted} finished server_tasks rows older than {Days} days")]
    private static partial void LogDaily(ILogger logger, int deleted, double days);
}
