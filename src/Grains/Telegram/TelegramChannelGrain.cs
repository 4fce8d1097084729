using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Serialization;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types.Enums;

namespace Assistant.Telegram;

/// <summary>
/// The cluster's Telegram channel. In polling mode it runs the only getUpdates loop. A fetched
/// batch is confirmed (the offset moves past it) once each update is stored by its session or
/// parked here; parked updates are handed over again with backoff, so one chat's failure never
/// holds up the others. A watchdog restarts a loop that has not completed a getUpdates for
/// <see cref="TelegramOptions.StallSeconds"/>; a sweep of its own wakes sessions left with
/// unanswered messages (<see cref="RecoverySweep"/>). In webhook mode it registers the webhook.
/// Reentrant so status calls are answered during a long poll.
/// </summary>
[Reentrant, KeepAlive]
internal sealed class TelegramChannelGrain(
    [PersistentState("channel")] IPersistentState<TelegramChannelState> stored,
    DeepCopier<TelegramChannelState> copier,
    TelegramBot bot,
    UpdateRouter router,
    RecoverySweep recovery,
    ChannelCondition condition,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<TelegramChannelGrain> logger) : Grain, ITelegramChannelGrain, IRemindable
{
    private const string KeepAliveReminder = "keep-alive";

    /// <summary>Empty polls in a row, while Telegram reports pending updates, after which the offset is re-synced.</summary>
    private const int EmptyPollsBeforeResync = 2;

    private static readonly UpdateType[] AllowedUpdates = [UpdateType.Message];

    private readonly DurableState<TelegramChannelState> _state = new(stored, copier);
    private bool _webhookRegistered;
    private CancellationTokenSource? _loop;
    private Task? _running;
    private (int Count, DateTimeOffset At)? _pending;
    private int _emptyPolls;

    private TelegramOptions Options => bot.Options;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The reminder brings the channel back after a restart or failover even if no silo asks for it.
        await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        var check = TimeSpan.FromSeconds(Math.Clamp(Options.StallSeconds / 6.0, 0.5, 10));
        this.RegisterGrainTimer(WatchAsync, new GrainTimerCreationOptions(check, check) { Interleave = true, KeepAlive = true });
        var every = TimeSpan.FromSeconds(Options.RecoverySeconds);
        this.RegisterGrainTimer(ct => recovery.RunAsync(GrainFactory, every, ct), new GrainTimerCreationOptions(every, every) { Interleave = true, KeepAlive = true });
        Start();
        Publish();
        TelegramChannelLog.Started(logger, Options.Mode.ToString(), condition.Silo);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _loop?.Cancel();
        condition.Clear();
        TelegramChannelLog.Stopped(logger, condition.Silo, reason.Description);
        return Task.CompletedTask;
    }

    public Task EnsureRunningAsync() => Task.CompletedTask; // Activation is what starts it.

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    public async Task<TelegramChannelStatus> GetStatusAsync()
    {
        await PendingCountAsync(TimeSpan.FromSeconds(5));
        return new TelegramChannelStatus(
            condition.State,
            Options.Mode.ToString().ToLowerInvariant(),
            condition.Identity,
            condition.InitializedAt,
            condition.LastPollAt,
            _pending?.Count,
            condition.LastError,
            _state.Value.StallRestarts,
            condition.Silo,
            _state.Value.Offset,
            _state.Value.Parked.Count);
    }

    public async Task ParkAsync(TelegramIncoming message, string error)
    {
        var now = time.GetUtcNow();
        await _state.UpdateAsync(s => s.Park(message, error, now));
    }

    private async Task<int?> PendingCountAsync(TimeSpan maxAge, CancellationToken cancellationToken = default)
    {
        if (_pending is not { } pending || time.GetUtcNow() - pending.At > maxAge)
        {
            try
            {
                var info = await bot.Client.GetWebhookInfo(cancellationToken);
                _pending = (info.PendingUpdateCount, time.GetUtcNow());
            }
            catch (Exception ex) when (ex is RequestException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                condition.LastError = $"getWebhookInfo: {ex.Message}";
                return null;
            }
        }

        return _pending?.Count;
    }

    private void Start()
    {
        condition.LoopStarted();
        _loop?.Cancel();
        _loop = new CancellationTokenSource();
        _running = Options.Mode == TelegramMode.Polling ? PollAsync(_loop.Token) : RegisterWebhookAsync(_loop.Token);
    }

    /// <summary>
    /// Stops the loop and waits for it to end before another starts, so that two loops never
    /// deliver or park the same updates. Every wait in it observes the cancellation (a delivery
    /// within <see cref="TelegramOptions.DeliveryTimeoutSeconds"/>), so this is short.
    /// </summary>
    private async Task RestartAsync()
    {
        _loop?.Cancel();
        if (_running is { } previous)
        {
            try
            {
                await previous.WaitAsync(TimeSpan.FromSeconds(2 * Options.DeliveryTimeoutSeconds + 5));
            }
            catch (TimeoutException)
            {
                TelegramChannelLog.OldLoopLingers(logger, 2 * Options.DeliveryTimeoutSeconds + 5);
            }
            catch (Exception)
            {
                // However the old loop ended, it has ended: that is all a restart waits for.
            }
        }

        Start();
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (condition.Identity is null)
                {
                    var identity = await bot.IdentityAsync(cancellationToken);
                    await bot.Client.DeleteWebhook(dropPendingUpdates: false, cancellationToken);
                    condition.Identified(identity);
                    TelegramChannelLog.Identity(logger, identity.Username ?? identity.FirstName, identity.Id);
                }

                await RetryParkedAsync(cancellationToken);
                condition.PollOpened();
                var updates = await bot.Client.GetUpdates((int)_state.Value.Offset, 100, _state.Value.PollTimeout(time.GetUtcNow(), Options.PollTimeoutSeconds), AllowedUpdates, cancellationToken);
                condition.Polled();
                failures = 0;
                if (updates.Length == 0)
                {
                    await ResyncIfSilencedAsync(cancellationToken);
                    continue;
                }

                _emptyPolls = 0;
                var waiting = _state.Value.Parked.Select(p => p.Message.ChatId).ToHashSet();
                var parked = await router.RouteBatchAsync(updates, waiting, time.GetUtcNow(), cancellationToken);
                var next = updates.Max(u => u.Id) + 1L;
                cancellationToken.ThrowIfCancellationRequested();
                await _state.UpdateAsync(s =>
                {
                    s.Offset = next;
                    s.ParkAll(parked);
                });
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                Fail("getUpdates", ex);
                try
                {
                    await Task.Delay(Backoff.AfterPollFailure(failures, ex), time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RetryParkedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_state.Value.AnyDue(now))
        {
            return;
        }

        var copy = copier.Copy(_state.Value).Parked; // the retry counts attempts on its own copy
        var remaining = await router.RetryAsync(copy, now, Options.MaxDeliveryAttempts, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested(); // a loop the watchdog replaced writes nothing

        await _state.UpdateAsync(s => s.Retried(copy, remaining));
    }

    /// <summary>
    /// Update ids can start again lower than the stored offset (after a week without updates, a
    /// restored backup, a new token): polls then come back empty while Telegram holds updates.
    /// </summary>
    private async Task ResyncIfSilencedAsync(CancellationToken cancellationToken)
    {
        // Short polls while updates are parked prove nothing.
        if (_state.Value.Offset == 0 || _state.Value.Parked.Count > 0 || ++_emptyPolls < EmptyPollsBeforeResync)
        {
            return;
        }

        _emptyPolls = 0;
        if (await PendingCountAsync(TimeSpan.Zero, cancellationToken) is > 0 and var pending)
        {
            var offset = _state.Value.Offset;
            TelegramChannelLog.Resync(logger, pending, offset);
            await _state.UpdateAsync(s => s.Offset = 0);
        }
    }

    private async Task RegisterWebhookAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (condition.Identity is null)
            {
                condition.Identified(await bot.IdentityAsync(cancellationToken));
            }

            await bot.Client.SetWebhook(Options.WebhookUrl!, allowedUpdates: AllowedUpdates, secretToken: Options.WebhookSecret, cancellationToken: cancellationToken);
            _webhookRegistered = true;
            condition.Connected();
            TelegramChannelLog.WebhookSet(logger, Options.WebhookUrl!);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Fail("setWebhook", ex);
        }
    }

    /// <summary>For the gauges: the state, and the last completed poll (or, before this loop's first, when the loop started).</summary>
    private void Publish() => condition.Publish(Options.Mode == TelegramMode.Polling);

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        Publish();
        if (Options.Mode == TelegramMode.Webhook)
        {
            if (!_webhookRegistered)
            {
                await RestartAsync();
            }

            await RetryParkedAsync(cancellationToken);
            return;
        }

        var since = time.GetUtcNow() - condition.LastProgress;
        if (since > TimeSpan.FromSeconds(Options.StallSeconds))
        {
            condition.Stalled($"polling stalled: no getUpdates completed for {since.TotalSeconds:0} s; restarted");
            TelegramChannelLog.Stalled(logger, since.TotalSeconds, _state.Value.StallRestarts + 1);
            Publish();
            await RestartAsync();
            await _state.UpdateAsync(s => s.StallRestarts++);
        }
    }

    private void Fail(string call, Exception ex)
    {
        TelegramChannelLog.Failed(logger, condition.Failed(call, ex));
    }
}
