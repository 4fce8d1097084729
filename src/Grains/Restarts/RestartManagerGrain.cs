using System.Globalization;
using Assistant.Monitoring;
using Assistant.Silos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Assistant.Restarts;

/// <summary>
/// Decides and records restarts. The loop guard counts each silo's restarts in the last hour:
/// past <see cref="RestartOptions.MaxPerHour"/> a restart is refused and an alert raised instead;
/// automatic restarts also back off (the base delay doubled for each restart in the hour). A silo
/// that nothing would start again (see <see cref="SupervisionDetector"/>) is not restarted at all.
/// Requests are decided one at a time, so two at once for one silo record one drain.
/// </summary>
[Reentrant]
internal sealed partial class RestartManagerGrain(
    [PersistentState("restarts")] IPersistentState<RestartManagerState> state,
    ISiloAgents agents,
    IOptions<RestartOptions> options,
    ILocalSiloDetails local,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<RestartManagerGrain> logger) : Grain, IRestartManagerGrain, IRemindable
{
    private const string ScheduleReminder = "scheduled-restart";
    private readonly RestartOptions _options = options.Value;
    private readonly Dictionary<string, int> _draining = [];
    private readonly SemaphoreSlim _deciding = new(1, 1);
    private bool _rolling;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (NextScheduled() is { } next)
        {
            // Re-registered on activation so a changed ScheduledTime takes effect; the period is a day.
            await this.RegisterOrUpdateReminder(ScheduleReminder, next - time.GetUtcNow(), TimeSpan.FromDays(1));
        }
        else if (await this.GetReminder(ScheduleReminder) is { } old)
        {
            await this.UnregisterReminder(old);
        }
    }

    public Task EnsureRunningAsync() => Task.CompletedTask;

    public async Task<RestartDecision> RequestAsync(RestartCommand command)
    {
        // Reentrant (the scheduled restart waits for silos to come back), so the checks and the
        // record below would otherwise interleave for two requests at once; every state write holds it.
        await _deciding.WaitAsync();
        try
        {
            return await DecideAsync(command);
        }
        finally
        {
            _deciding.Release();
        }
    }

    private async Task<RestartDecision> DecideAsync(RestartCommand command)
    {
        var silos = await agents.ActiveSilosAsync();
        var target = silos.FirstOrDefault(s => s.Name == command.Silo);
        if (target is null)
        {
            return new RestartDecision(false, $"No active silo is named '{command.Silo}'. Active silos: {string.Join(", ", silos.Select(s => s.Name))}.", null, UnknownSilo: true);
        }

        var now = time.GetUtcNow();
        if (_draining.TryGetValue(command.Silo, out var generation) && generation == target.Address.Generation)
        {
            // The same process was already told to restart and is still draining.
            return new RestartDecision(false, $"Silo {command.Silo} is already restarting.", null, AlreadyRestarting: true);
        }

        var supervision = await agents.On(target.Address).GetSupervisionAsync().WaitAsync(TimeSpan.FromSeconds(10));
        if (!supervision.Supervised)
        {
            return new RestartDecision(false, Unsupervised(command.Silo), null, Unsupervised: true);
        }

        var recent = state.State.History.Where(e => e.Silo == command.Silo && e.Outcome != RestartEntry.Refused && now - e.At < TimeSpan.FromHours(1)).ToList();
        string? refusal = null;
        DateTimeOffset? retryAt = null;
        if (recent.Count >= _options.MaxPerHour)
        {
            refusal = $"Silo {command.Silo} has restarted {recent.Count} times in the last hour (limit Restart:MaxPerHour = {_options.MaxPerHour}); refusing to restart it again, which looks like a restart loop.";
            retryAt = recent.Min(e => e.At) + TimeSpan.FromHours(1);
        }
        else if (command.Source != RestartCommand.Manual && recent.Count > 0)
        {
            var wait = TimeSpan.FromSeconds(_options.BackoffBaseSeconds * Math.Pow(2, recent.Count - 1));
            var since = now - recent.Max(e => e.At);
            if (since < wait)
            {
                retryAt = now - since + wait;
                refusal = $"Silo {command.Silo} restarted {since.TotalSeconds:0} s ago; automatic restarts back off for {wait.TotalSeconds:0} s after the previous one.";
            }
        }

        var entry = new RestartEntry(state.State.NextId++, now, command.Silo, command.Reason, command.Source, refusal is null ? RestartEntry.Draining : RestartEntry.Refused, null, null);
        Record(entry);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.History.Remove(entry); // not recorded, so not counted by the loop guard
            throw;
        }

        if (refusal is not null)
        {
            LogRefused(logger, command.Silo, refusal);
            if (command.Source == RestartCommand.Scheduled)
            {
                // The monitor raises its own refusals, and an operator reads theirs in the answer.
                var alert = new PerformanceAlert("restart_refused", AlertSeverity.High, refusal, now, command.Silo, await SnapshotAsync(target.Address),
                    "Find out why the silo keeps needing restarts (see /resources/status and logs/system.log) before restarting it by hand.");
                AlertLog.Raised(logger, alert);
                await GrainFactory.GetGrain<IAlertDeliveryGrain>(0).EnqueueAsync(alert);
            }

            return new RestartDecision(false, refusal, entry) { RetryAt = retryAt };
        }

        LogRestarting(logger, command.Silo, command.Source, command.Reason);
        _draining[command.Silo] = target.Address.Generation;
        var began = await agents.On(target.Address).BeginRestartAsync(entry.Id, command.Reason, _options.GraceSeconds);
        return new RestartDecision(true, began ? $"Silo {command.Silo} is draining and will restart." : $"Silo {command.Silo} was already restarting.", entry);
    }

    /// <summary>The silo's resources now, for the alert that concerns it; null when it does not answer in time.</summary>
    private async Task<ResourceSnapshot?> SnapshotAsync(SiloAddress silo)
    {
        try
        {
            return await agents.On(silo).SampleAsync(TimeSpan.FromSeconds(30)).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }

    public async Task RecordDrainedAsync(long entryId, double drainSeconds, double uptimeSeconds)
    {
        // Every change and write of the state holds the lock: two writes at once in a reentrant grain would race on the ETag.
        await _deciding.WaitAsync();
        try
        {
            var index = state.State.History.FindIndex(e => e.Id == entryId);
            if (index >= 0)
            {
                state.State.History[index] = state.State.History[index] with
                {
                    Outcome = RestartEntry.Restarted,
                    DrainSeconds = Math.Round(drainSeconds, 2),
                    UptimeBeforeSeconds = Math.Round(uptimeSeconds, 1),
                };
                await state.WriteStateAsync();
            }
        }
        finally
        {
            _deciding.Release();
        }
    }

    public async Task<RestartStatus> GetStatusAsync()
    {
        var silos = await agents.ActiveSilosAsync();
        var supervision = await Task.WhenAll(silos.Select(async s =>
        {
            try
            {
                return await agents.On(s.Address).GetSupervisionAsync().WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return new Supervision(s.Name, false, $"unknown: {ex.Message}");
            }
        }));
        return new RestartStatus(
            new RestartConfig(_options.AutoRestart, _options.MemoryLimitMb, _options.OnCriticalAlerts, _options.MaxPerHour, _options.BackoffBaseSeconds, _options.GraceSeconds, _options.ScheduledTime),
            [.. state.State.History],
            NextScheduled(),
            [.. supervision.OrderBy(s => s.Silo, StringComparer.Ordinal)]);
    }

    /// <summary>Why a silo is not restarted, and how to run it so that it can be.</summary>
    public static string Unsupervised(string silo) =>
        $"Silo {silo} is not supervised: nothing would start it again after it exits, so it is not restarted. " +
        "Run it with scripts/start.sh (which supervises it), as the systemd unit scripts/assistant-silo.service, " +
        "or under another supervisor that restarts it on exit code 75 with Restart:Supervised=true.";

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ScheduleReminder && !_rolling)
        {
            _rolling = true;
            await _deciding.WaitAsync();
            try
            {
                state.State.LastScheduledRun = time.GetUtcNow();
                await state.WriteStateAsync();
            }
            catch
            {
                _rolling = false; // the next tick tries again
                throw;
            }
            finally
            {
                _deciding.Release();
            }

            _ = RollingRestartAsync();
        }
    }

    /// <summary>Restarts the silos one at a time, each after the previous one is back; this grain's own silo last.</summary>
    private async Task RollingRestartAsync()
    {
        try
        {
            var silos = await agents.ActiveSilosAsync();
            foreach (var silo in silos.OrderBy(s => s.Address.Equals(local.SiloAddress) ? 1 : 0))
            {
                var decision = await RequestAsync(new RestartCommand(silo.Name, "scheduled daily restart", RestartCommand.Scheduled));
                if (decision.Accepted)
                {
                    await WaitUntilBackAsync(silo);
                }
                else if (decision.Unsupervised)
                {
                    LogScheduledSkipped(logger, silo.Name, decision.Message);
                }
            }
        }
        finally
        {
            _rolling = false;
        }
    }

    private async Task WaitUntilBackAsync(SiloInfo silo)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(_options.GraceSeconds + 180);
        while (time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), time);
            var active = await agents.ActiveSilosAsync();
            if (active.Any(s => s.Name == silo.Name && s.Address.Generation != silo.Address.Generation))
            {
                return;
            }
        }

        LogNotBack(logger, silo.Name);
    }

    private DateTimeOffset? NextScheduled()
    {
        if (string.IsNullOrEmpty(_options.ScheduledTime))
        {
            return null;
        }

        var at = TimeOnly.ParseExact(_options.ScheduledTime, "HH:mm", CultureInfo.InvariantCulture);
        var now = time.GetUtcNow();
        var today = new DateTimeOffset(DateOnly.FromDateTime(now.UtcDateTime).ToDateTime(at), TimeSpan.Zero);
        return today > now ? today : today.AddDays(1);
    }

    private void Record(RestartEntry entry)
    {
        state.State.History.Insert(0, entry);
        if (state.State.History.Count > RestartManagerState.HistoryLimit)
        {
            state.State.History.RemoveRange(RestartManagerState.HistoryLimit, state.State.History.Count - RestartManagerState.HistoryLimit);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restart of silo {Silo} ({Source}): {Reason}")]
    private static partial void LogRestarting(ILogger logger, string silo, string source, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Restart of silo {Silo} refused: {Refusal}")]
    private static partial void LogRefused(ILogger logger, string silo, string refusal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled restart: silo {Silo} skipped: {Reason}")]
    private static partial void LogScheduledSkipped(ILogger logger, string silo, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled restart: silo {Silo} did not come back in time; continuing with the next")]
    private static partial void LogNotBack(ILogger logger, string silo);
}
