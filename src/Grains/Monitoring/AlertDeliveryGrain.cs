using Assistant.Storage;
using Assistant.Telegram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Serialization;

namespace Assistant.Monitoring;

/// <summary>
/// The alert outbox. <see cref="EnqueueAsync"/> stores one delivery per destination and returns;
/// a loop in this activation makes the deliveries that are due, each bounded by
/// <c>Monitoring:AlertDeliveryTimeoutSeconds</c>, and schedules a failed one again after a
/// jittered backoff, or after the 429's <c>retry_after</c> when Telegram gave one, up to
/// <c>Monitoring:AlertDeliveryAttempts</c> attempts. While deliveries are pending the activation
/// is kept (<see cref="Grain.DelayDeactivation"/>); if its silo dies, the stored deliveries resume
/// on the next activation, which every silo's singleton keeper brings about within seconds.
/// </summary>
[Reentrant]
internal sealed partial class AlertDeliveryGrain(
    [PersistentState("alert-outbox")] IPersistentState<AlertOutboxState> stored,
    DeepCopier<AlertOutboxState> copier,
    AlertNotifier notifier,
    IOptions<MonitoringOptions> options,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<AlertDeliveryGrain> logger) : Grain, IAlertDeliveryGrain
{
    private readonly DurableState<AlertOutboxState> _state = new(stored, copier);
    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenSource _wake = new();
    private readonly Dictionary<long, Task> _inFlight = [];
    private readonly Dictionary<long, (DateTimeOffset Until, int Failures)> _unrecorded = []; // made, but the record failed: held back, not resent at once
    private Task? _worker;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Kick();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        if (_worker is { } worker)
        {
            try
            {
                await worker.WaitAsync(cancellationToken); // a delivery in flight ends within its timeout
            }
            catch (OperationCanceledException)
            {
                // Orleans waits no longer; the deliveries are stored and the next activation makes them.
            }
        }
    }

    public async Task EnqueueAsync(PerformanceAlert alert)
    {
        var destinations = notifier.Destinations();
        if (destinations.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        await _state.UpdateAsync(s =>
        {
            foreach (var destination in destinations)
            {
                s.Pending.Add(new PendingDelivery(s.NextId++, alert, destination, 0, now));
            }
        });
        Kick();
    }

    public Task<AlertDeliveryStatus> GetStatusAsync()
    {
        var s = _state.Value;
        return Task.FromResult(new AlertDeliveryStatus(
            s.Pending.Count, s.Delivered, s.Failures, s.GivenUp, s.LastFailure is { } failure ? notifier.Anonymous(failure) : null, s.LastFailureAt,
            s.Pending.Count == 0 ? null : s.Pending.Min(p => p.NextAttemptAt)));
    }

    public Task EnsureRunningAsync()
    {
        Kick();
        return Task.CompletedTask;
    }

    /// <summary>Starts the loop when there is work and it is not running; otherwise wakes it to look again.</summary>
    private void Kick()
    {
        if (_worker is null && _state.Value.Pending.Count > 0 && !_stopping.IsCancellationRequested)
        {
            DelayDeactivation(TimeSpan.MaxValue);
            _worker = WorkAsync();
        }
        else
        {
            _wake.Cancel();
        }
    }

    private async Task WorkAsync()
    {
        await Task.Yield(); // _worker is stored before the loop can end and clear it
        try
        {
            while (!_stopping.IsCancellationRequested && _state.Value.Pending.Count > 0)
            {
                // Each delivery runs on its own: a destination that takes its whole timeout holds up no other.
                var now = time.GetUtcNow();
                foreach (var delivery in _state.Value.Pending.Where(p => Due(p) <= now && !_inFlight.ContainsKey(p.Id)).ToList())
                {
                    _inFlight[delivery.Id] = DeliverAsync(delivery);
                }

                var waiting = _state.Value.Pending.Where(p => !_inFlight.ContainsKey(p.Id)).Select(Due).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
                await SleepUntilAsync(waiting == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : Max(waiting - now, TimeSpan.Zero));
            }

            await Task.WhenAll(_inFlight.Values.ToList());
        }
        catch (Exception ex)
        {
            LogLoopFailed(logger, ex);
        }
        finally
        {
            _worker = null;
            DelayDeactivation(TimeSpan.Zero);
            if (!_stopping.IsCancellationRequested && _state.Value.Pending.Count > 0)
            {
                Kick(); // an alert stored while the loop was winding down
            }
        }
    }

    private async Task DeliverAsync(PendingDelivery delivery)
    {
        await Task.Yield(); // stored in _inFlight before it can finish and remove itself
        try
        {
            var outcome = await notifier.DeliverAsync(delivery.Alert, delivery.Destination);
            await _state.UpdateAsync(s => Record(s, delivery, outcome, time.GetUtcNow()));
            _unrecorded.Remove(delivery.Id);
        }
        catch (Exception ex)
        {
            // Stays pending and is made again after a backoff: at least once, never in a tight loop.
            var failures = (_unrecorded.TryGetValue(delivery.Id, out var held) ? held.Failures : 0) + 1;
            _unrecorded[delivery.Id] = (time.GetUtcNow() + Backoff.Jittered(failures, baseSeconds: 5), failures);
            LogRecordFailed(logger, delivery.Alert.AlertType, delivery.Destination, ex.Message);
        }
        finally
        {
            _inFlight.Remove(delivery.Id);
            _wake.Cancel();
        }
    }

    private DateTimeOffset Due(PendingDelivery delivery) =>
        _unrecorded.TryGetValue(delivery.Id, out var held) && held.Until > delivery.NextAttemptAt ? held.Until : delivery.NextAttemptAt;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private async Task SleepUntilAsync(TimeSpan wait)
    {
        _wake = new CancellationTokenSource();
        using var either = CancellationTokenSource.CreateLinkedTokenSource(_wake.Token, _stopping.Token);
        try
        {
            await Task.Delay(wait, time, either.Token);
        }
        catch (OperationCanceledException)
        {
            // Woken by new work or stopped; the loop looks again.
        }
    }

    private void Record(AlertOutboxState s, PendingDelivery delivery, DeliveryOutcome outcome, DateTimeOffset now)
    {
        var index = s.Pending.FindIndex(p => p.Id == delivery.Id);
        if (index < 0)
        {
            return;
        }

        if (outcome.Delivered)
        {
            s.Pending.RemoveAt(index);
            s.Delivered++;
            return;
        }

        s.Failures++;
        s.LastFailure = $"{delivery.Alert.AlertType} to {notifier.Describe(delivery.Destination)}: {outcome.Failure}";
        s.LastFailureAt = now;
        var attempts = delivery.Attempts + 1;
        if (!outcome.Retry || attempts >= options.Value.AlertDeliveryAttempts)
        {
            s.Pending.RemoveAt(index);
            s.GivenUp++;
            LogGivenUp(logger, delivery.Alert.AlertType, delivery.Destination, attempts, outcome.Failure);
            return;
        }

        var next = now + Backoff.Jittered(attempts, baseSeconds: 5);
        if (outcome.NotBefore is { } notBefore && notBefore > next)
        {
            next = notBefore;
        }

        s.Pending[index] = delivery with { Attempts = attempts, NextAttemptAt = next };
        LogRetrying(logger, delivery.Alert.AlertType, delivery.Destination, outcome.Failure, (next - now).TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not deliver alert {AlertType} to {Destination} ({Reason}); trying again in {Seconds:0} s")]
    private static partial void LogRetrying(ILogger logger, string alertType, string destination, string? reason, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up delivering alert {AlertType} to {Destination} after {Attempts} attempt(s): {Reason}")]
    private static partial void LogGivenUp(ILogger logger, string alertType, string destination, int attempts, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record the delivery of alert {AlertType} to {Destination}: {Reason}; it stays pending and is tried again after a backoff")]
    private static partial void LogRecordFailed(ILogger logger, string alertType, string destination, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The alert outbox's loop stopped; it starts again with the next alert or keeper call")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}

/// <summary>The alert outbox's deliveries still to make, and its counts.</summary>
[GenerateSerializer, Alias("Assistant.Monitoring.AlertOutboxState")]
public sealed class AlertOutboxState
{
    [Id(0)]
    public List<PendingDelivery> Pending { get; set; } = [];

    [Id(1)]
    public long NextId { get; set; } = 1;

    [Id(2)]
    public long Delivered { get; set; }

    [Id(3)]
    public long Failures { get; set; }

    [Id(4)]
    public long GivenUp { get; set; }

    [Id(5)]
    public string? LastFailure { get; set; }

    [Id(6)]
    public DateTimeOffset? LastFailureAt { get; set; }
}

/// <summary>One alert for one destination (<c>webhook</c> or <c>telegram:ADMIN</c>).</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.PendingDelivery")]
public sealed record class PendingDelivery(
    [property: Id(0)] long Id,
    [property: Id(1)] PerformanceAlert Alert,
    [property: Id(2)] string Destination,
    [property: Id(3)] int Attempts,
    [property: Id(4)] DateTimeOffset NextAttemptAt);
