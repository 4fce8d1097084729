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
    TelegramCounters counters,
    TelegramLink link,
    RecoverySweep recovery,
    ILocalSiloDetails silo,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<TelegramChannelGrain> logger) : Grain, ITelegramChannelGrain, IRemindable
{
    private const string KeepAliveReminder = "keep-alive";

    /// <summary>Empty polls in a row, while Telegram reports pending updates, after which the offset is re-synced.</summary>
    private const int EmptyPollsBeforeResync = 2;

    /// <summary>How long a first poll must stay open without an error before the channel says connected.</summary>
    private static readonly TimeSpan OpenPollCounts = TimeSpan.FromSeconds(2);

    private static readonly UpdateType[] AllowedUpdates = [UpdateType.Message];

    private readonly DurableState<TelegramChannelState> _state = new(stored, copier);
    private TelegramState _status = TelegramState.Initializing;

    // When the long poll now waiting at Telegram opened; null between polls.
    private DateTimeOffset? _pollOpenSince;
    private TelegramBotUser? _identity;
    private DateTimeOffset? _initializedAt;
    private DateTimeOffset? _lastPollAt;
    private DateTimeOffset _loopStartedAt;
    private string? _lastError;
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
        TelegramChannelLog.Started(logger, Options.Mode.ToString(), silo.Name);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _loop?.Cancel();
        link.Clear();
        TelegramChannelLog.Stopped(logger, silo.Name, reason.Description);
        return Task.CompletedTask;
    }

    public Task EnsureRunningAsync() => Task.CompletedTask; // Activation is what starts it.

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    public async Task<TelegramChannelStatus> GetStatusAsync()
    {
        await PendingCountAsync(TimeSpan.FromSeconds(5));
        return new TelegramChannelStatus(
            CurrentState(),
            Options.Mode.ToString().ToLowerInvariant(),
            _identity,
            _initializedAt,
            _lastPollAt,
            _pending?.Count,
            _lastError,
            _state.Value.StallRestarts,
            silo.Name,
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
                _lastError = $"getWebhookInfo: {ex.Message}";
                return null;
            }
        }

        return _pending?.Count;
    }

    /// <summary>
    /// Connected once a poll completed, and also while a poll has stayed open without an error for
    /// <see cref="OpenPollCounts"/>: with no traffic the first poll returns only after
    /// Telegram:PollTimeoutSeconds, and the runbook's check should not wait for it. A poll cut off
    /// at once (another program polling the token: 409) never counts.
    /// </summary>
    private TelegramState CurrentState() =>
        _status == TelegramState.Initializing && _pollOpenSince is { } opened && time.GetUtcNow() - opened >= OpenPollCounts
            ? TelegramState.Connected
            : _status;

    private void Start()
    {
        _pollOpenSince = null; // a stalled poll the watchdog replaces proves nothing
        _loop?.Cancel();
        _loop = new CancellationTokenSource();
        _loopStartedAt = time.GetUtcNow();
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
                if (_identity is null)
                {
                    _identity = await bot.IdentityAsync(cancellationToken);
                    await bot.Client.DeleteWebhook(dropPendingUpdates: false, cancellationToken);
                    _initializedAt ??= time.GetUtcNow();
                    TelegramChannelLog.Identity(logger, _identity.Username ?? _identity.FirstName, _identity.Id);
                }

                await RetryParkedAsync(cancellationToken);
                _pollOpenSince = time.GetUtcNow();
                var updates = await bot.Client.GetUpdates((int)_state.Value.Offset, 100, _state.Value.PollTimeout(time.GetUtcNow(), Options.PollTimeoutSeconds), AllowedUpdates, cancellationToken);
                _pollOpenSince = null;
                _lastPollAt = time.GetUtcNow();
                _status = TelegramState.Connected;
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
                _pollOpenSince = null;
                failures++;
                Fail("getUpdates", ex);
                try
                {
                    await Task.Delay(BackoffAfter(failures, ex), time, cancellationToken);
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
            _identity ??= await bot.IdentityAsync(cancellationToken);
            await bot.Client.SetWebhook(Options.WebhookUrl!, allowedUpdates: AllowedUpdates, secretToken: Options.WebhookSecret, cancellationToken: cancellationToken);
            _webhookRegistered = true;
            _initializedAt ??= time.GetUtcNow();
            _status = TelegramState.Connected;
            TelegramChannelLog.WebhookSet(logger, Options.WebhookUrl!);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Fail("setWebhook", ex);
        }
    }

    /// <summary>For the gauges: the state, and the last completed poll (or, before this loop's first, when the loop started).</summary>
    private void Publish() => link.Publish(CurrentState(), LastProgress(), Options.Mode == TelegramMode.Polling);

    /// <summary>The last completed poll of the current loop, or when the loop started if none completed since.</summary>
    private DateTimeOffset LastProgress() => _lastPollAt is { } last && last > _loopStartedAt ? last : _loopStartedAt;

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

        var since = time.GetUtcNow() - LastProgress();
        if (since > TimeSpan.FromSeconds(Options.StallSeconds))
        {
            _status = TelegramState.Disconnected;
            _lastError = $"polling stalled: no getUpdates completed for {since.TotalSeconds:0} s; restarted";
            TelegramChannelLog.Stalled(logger, since.TotalSeconds, _state.Value.StallRestarts + 1);
            Publish();
            await RestartAsync();
            await _state.UpdateAsync(s => s.StallRestarts++);
        }
    }

    private void Fail(string call, Exception ex)
    {
        _status = TelegramState.Disconnected;
        _lastError = ex is ApiRequestException api ? $"{call}: {api.ErrorCode} {api.Message}" : $"{call}: {ex.Message}";
        counters.RecordError(_lastError);
        TelegramChannelLog.Failed(logger, _lastError);
    }

    /// <summary>A 429's retry_after is waited out whole; 409 (another poller or a webhook) waits 5 s; anything else backs off with jitter up to 30 s.</summary>
    private static TimeSpan BackoffAfter(int failures, Exception ex) =>
        ex is ApiRequestException { ErrorCode: 429, Parameters.RetryAfter: { } after } ? TimeSpan.FromSeconds(after)
        : ex is ApiRequestException { ErrorCode: 409 } ? TimeSpan.FromSeconds(5)
        : Backoff.Jittered(failures, baseSeconds: 0.5);
}
