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
/// (<see cref="ClusterCleanup"/>). The optimisation, cleanup and daily cycles are reminders, so
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
    private readonly Metrics.AssistantMetrics _metrics;
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
    private readonly HealthHistory _history;
    private readonly HealthHistoryStore _store;
    private Dictionary<string, ReplyFigures> _seen = [];
    private DateTimeOffset? _lastStoredAt;
    private bool _storeFailing;
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
        (_state, _tasks, _store, _metrics, _sessions, _silo, _reminders, _time, _logger) = (state, tasks, store, metrics, sessionOptions.Value, silo, reminders, time, logger);
        _options = monitoringOptions.Value;
        _rules = new AlertRules(_options);
        _history = new HealthHistory(TimeSpan.FromHours(_options.HistoryHours), CycleWindow);
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
        await LoadHistoryAsync(cancellationToken);
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
            _history.Latest(history),
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
        var (sample, seen) = SampleOf(snapshots, now);
        _history.Add(sample);
        await StoreAsync(sample, seen);

        _scoreLowSince = _score < _options.HealthScoreWarning ? _scoreLowSince ?? now : null;
        var cpu = snapshots.ToDictionary(s => s.Silo, _sampling.CpuHistory);
        _baselines = GuideBaselines.Compare(GuideBaselines.Measure(snapshots, cpu, _history.Latest(int.MaxValue), _options), _options);
        var alerts = snapshots.SelectMany(s => _rules.ForSilo(s, cpu[s.Silo]))
            .Concat(_rules.ForCluster(_score, HealthScore.ClusterSnapshot(snapshots, now), _history.MemoryGrowthPerHour(now), now - _scoreLowSince)).ToList();
        _alerts = alerts;
        _lastCycleAt = now;
        _cycles++;
        LogCycle(_logger, _score, _cluster.MemoryMb, _cluster.MemoryUtilizationPercent, _cluster.CpuPercent, _cluster.ActiveSessions, _cluster.Silos, sample.Replies, sample.ReplyP95Ms);

        _unsaved |= await _alerting.RaiseAsync(Stored, alerts, now);
        _unsaved |= await _restarts.ActAsync(Stored, _restarts.Needs(snapshots, alerts), snapshots, now);
        _unsaved |= DecidePressure(snapshots);
        await _sampling.PushPressureAsync(Stored.Throttling, Stored.Emergency, _score, snapshots);
        _unsaved |= await RelieveAsync(snapshots, now);
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

    /// <summary>Emergency mode and throttling, each with hysteresis; true when either changed.</summary>
    private bool DecidePressure(List<ResourceSnapshot> snapshots)
    {
        var memory = snapshots.Max(s => s.MemoryMb);
        var cpu = snapshots.Max(s => s.CpuPercent);
        var emergency = Stored.Emergency ? memory >= _options.EmergencyExitMemoryMb : memory > _options.EmergencyMemoryMb;
        var throttling = Stored.Throttling ? cpu >= _options.ThrottleExitCpuPercent : cpu > _options.ThrottleCpuPercent;
        if (emergency != Stored.Emergency)
        {
            if (emergency)
            {
                LogEmergencyOn(_logger, memory, _options.EmergencyMemoryMb);
            }
            else
            {
                LogEmergencyOff(_logger, memory, _options.EmergencyExitMemoryMb);
            }
        }

        if (throttling != Stored.Throttling)
        {
            if (throttling)
            {
                LogThrottlingOn(_logger, cpu, _options.ThrottleCpuPercent);
            }
            else
            {
                LogThrottlingOff(_logger, cpu, _options.ThrottleExitCpuPercent);
            }
        }

        var changed = emergency != Stored.Emergency || throttling != Stored.Throttling;
        (Stored.Emergency, Stored.Throttling) = (emergency, throttling);
        return changed;
    }

    /// <summary>Emergency cleanup while in emergency mode (at most once per cooldown); inactive-session cleanup on silos over the session load.</summary>
    private async Task<bool> RelieveAsync(List<ResourceSnapshot> snapshots, DateTimeOffset now)
    {
        var dirty = false;
        var idle = TimeSpan.FromMinutes(_options.EmergencyIdleMinutes);
        if (Stored.Emergency && (Stored.LastEmergencyCleanup is not { } last || now - last >= TimeSpan.FromSeconds(_options.EmergencyCleanupCooldownSeconds)))
        {
            Stored.LastEmergencyCleanup = now;
            await RunCleanupAsync(CleanupPlan.Emergency(idle, snapshots.Where(s => s.MemoryMb > _options.EmergencyExitMemoryMb).Select(s => s.Silo).ToHashSet()));
            Stored.EmergencyCleanups++;
            _metrics.EmergencyCleanup();
            dirty = true;
        }

        var crowded = snapshots.Where(s => 100.0 * s.ActiveSessions / _options.SessionCapacity > _options.SessionLoadPercent).Select(s => s.Silo).ToHashSet();
        if (crowded.Count > 0)
        {
            await RunCleanupAsync(CleanupPlan.SessionLoad(idle, crowded));
        }

        return dirty;
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

    /// <summary>
    /// The cluster's sample of this cycle: the cluster figures, the replies of every silo's window
    /// for the percentiles (the median weighted by replies, the highest p95), and the replies and
    /// errors by type new since the last stored sample, from each silo's counters. A silo seen for
    /// the first time by this activation is counted in full only if it started after the last
    /// stored sample; otherwise an earlier activation may have counted it, and only what comes
    /// next is counted. A silo that started again (a new start time) is counted from its start.
    /// </summary>
    private (HealthSample Sample, Dictionary<string, ReplyFigures> Seen) SampleOf(List<ResourceSnapshot> snapshots, DateTimeOffset now)
    {
        var figures = snapshots.Select(s => (s.Silo, Figures: s.Replies ?? ReplyFigures.None)).ToList();
        var window = figures.Sum(f => f.Figures.Replies);
        var p50 = window == 0 ? 0 : Math.Round(figures.Sum(f => f.Figures.P50Ms * f.Figures.Replies) / window);
        var p95 = figures.Count == 0 ? 0 : figures.Max(f => f.Figures.P95Ms);
        var seen = new Dictionary<string, ReplyFigures>(_seen);
        var errors = new Dictionary<string, long>();
        long replies = 0;
        foreach (var (silo, f) in figures)
        {
            var before = _seen.GetValueOrDefault(silo) is { } earlier && earlier.StartedAt == f.StartedAt
                ? earlier
                : !_seen.ContainsKey(silo) && _lastStoredAt is { } stored && f.StartedAt <= stored
                    ? f // first seen here, and running before the last stored sample: count from now on
                    : ReplyFigures.None; // new, or started again: everything since its start is new
            replies += Math.Max(0, f.RepliesSinceStart - before.RepliesSinceStart);
            foreach (var (type, count) in f.ErrorsSinceStart)
            {
                var added = count - before.ErrorsSinceStart.GetValueOrDefault(type);
                if (added > 0)
                {
                    errors[type] = errors.GetValueOrDefault(type) + added;
                }
            }

            seen[silo] = f;
        }

        return (new HealthSample(now, _score, _cluster.MemoryMb, _cluster.CpuPercent, _cluster.ActiveSessions, (int)replies, p50, p95, errors, snapshots.Count), seen);
    }

    /// <summary>
    /// Adds the sample to <c>health_history</c>. A failure is logged once until a write succeeds
    /// again; the replies and errors it counted go into the next row that is stored.
    /// </summary>
    private async Task StoreAsync(HealthSample sample, Dictionary<string, ReplyFigures> seen)
    {
        try
        {
            await _store.AddAsync(sample, (int)_options.HealthIntervalSeconds, sample.Silos);
            (_seen, _lastStoredAt, _storeFailing) = (seen, sample.Timestamp, false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (!_storeFailing)
            {
                LogHistoryNotStored(_logger, ex.Message);
            }

            _storeFailing = true;
        }
    }

    /// <summary>The last <c>Monitoring:HistoryHours</c> of samples from the database, so a restart or a move keeps the history.</summary>
    private async Task LoadHistoryAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        try
        {
            foreach (var row in await _store.ReadAsync(now - TimeSpan.FromHours(_options.HistoryHours), now + TimeSpan.FromMinutes(1), cancellationToken))
            {
                _history.AddStored(row.Sample with { Silos = row.Silos });
                _lastStoredAt = row.Sample.Timestamp;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHistoryNotLoaded(_logger, ex.Message);
        }
    }

    private async Task DailyAsync()
    {
        var now = _time.GetUtcNow();
        try
        {
            var (baselines, compacted) = await _store.DailyAsync(now, _options.HistoryDays);
            LogBaselines(_logger, baselines, compacted, _options.HistoryDays);
            LogGuideBaselines(_logger, GuideBaselines.Summary(_baselines));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHistoryNotStored(_logger, ex.Message); // the next daily run summarises the days this one missed
        }

        var deleted = await _tasks.DeleteFinishedBeforeAsync(now - TimeSpan.FromDays(_options.TaskRetentionDays));
        Stored.LastDailyRun = now;
        _unsaved = true;
        await SaveAsync();
        LogDaily(_logger, deleted, _options.TaskRetentionDays);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Performance baseline update against the guide's baselines: {Comparison}")]
    private static partial void LogGuideBaselines(ILogger logger, string comparison);

    [LoggerMessage(Level = LogLevel.Information, Message = "🚀 ResourceMonitor started on silo {Silo} (emergency mode {Emergency}, throttling {Throttling})")]
    private static partial void LogStarted(ILogger logger, string silo, string emergency, string throttling);

    [LoggerMessage(Level = LogLevel.Information, Message = "💓 Health check: score={Score} memory_mb={MemoryMb} memory_percent={MemoryPercent} cpu_percent={Cpu} active_sessions={Sessions} silos={Silos} replies={Replies} reply_p95_ms={ReplyP95Ms}")]
    private static partial void LogCycle(ILogger logger, double score, double memoryMb, double memoryPercent, double cpu, int sessions, int silos, int replies, double replyP95Ms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health history not stored ({Reason}); the in-memory history goes on, and this is logged again only after a write succeeded")]
    private static partial void LogHistoryNotStored(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health history not loaded ({Reason}); /resources/status shows the samples from now on")]
    private static partial void LogHistoryNotLoaded(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Performance baseline update: {Baselines} day(s) summarised, {Compacted} history rows averaged or past Monitoring:HistoryDays ({Days}) removed")]
    private static partial void LogBaselines(ILogger logger, int baselines, int compacted, double days);

    // Each names the guide's words (emergency, warning) in lower case: its resource grep is case-sensitive.
    [LoggerMessage(Level = LogLevel.Warning, Message = "🔄 Emergency mode on: the highest silo memory, {MemoryMb} MB, is over the emergency level of {Level} MB; emergency cleanup runs until it falls back")]
    private static partial void LogEmergencyOn(ILogger logger, double memoryMb, double level);

    [LoggerMessage(Level = LogLevel.Warning, Message = "🔄 Emergency mode off: the highest silo memory, {MemoryMb} MB, is under the emergency exit level of {Level} MB")]
    private static partial void LogEmergencyOff(ILogger logger, double memoryMb, double level);

    [LoggerMessage(Level = LogLevel.Warning, Message = "🔄 CPU throttling on: the highest silo CPU, {Cpu} %, is over the warning level of {Level} %; chat turns are limited per silo")]
    private static partial void LogThrottlingOn(ILogger logger, double cpu, double level);

    [LoggerMessage(Level = LogLevel.Warning, Message = "🔄 CPU throttling off: the highest silo CPU, {Cpu} %, is back under {Level} %; the warning is over")]
    private static partial void LogThrottlingOff(ILogger logger, double cpu, double level);

    [LoggerMessage(Level = LogLevel.Error, Message = "Monitor state not saved ({Reason}); the next health cycle tries again")]
    private static partial void LogNotSaved(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitor state changed under it ({Reason}); reloaded, the next health cycle decides from it")]
    private static partial void LogStateReloaded(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "🔄 Daily task: deleted {Deleted} finished server_tasks rows older than {Days} days")]
    private static partial void LogDaily(ILogger logger, int deleted, double days);
}
