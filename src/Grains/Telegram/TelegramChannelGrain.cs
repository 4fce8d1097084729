using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types.Enums;

namespace Assistant.Telegram;

/// <summary>
/// The cluster's Telegram channel. In polling mode it runs the only getUpdates loop and advances
/// the offset only once a batch has been handed to the sessions; a watchdog restarts a loop that
/// has not completed a getUpdates for <see cref="TelegramOptions.StallSeconds"/>. In webhook mode
/// it registers the webhook. Reentrant so status calls are answered during a long poll.
/// </summary>
[Reentrant, KeepAlive]
internal sealed partial class TelegramChannelGrain(
    [PersistentState("channel")] IPersistentState<TelegramChannelState> state,
    TelegramBot bot,
    UpdateRouter router,
    TelegramCounters counters,
    Sessions.SessionDirectory directory,
    ILocalSiloDetails silo,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<TelegramChannelGrain> logger) : Grain, ITelegramChannelGrain, IRemindable
{
    private const string KeepAliveReminder = "keep-alive";
    private static readonly UpdateType[] AllowedUpdates = [UpdateType.Message];

    private TelegramState _state = TelegramState.Initializing;
    private TelegramBotUser? _identity;
    private DateTimeOffset? _initializedAt;
    private DateTimeOffset? _lastPollAt;
    private DateTimeOffset _loopStartedAt;
    private string? _lastError;
    private bool _webhookRegistered;
    private CancellationTokenSource? _loop;
    private (int Count, DateTimeOffset At)? _pending;
    private DateTimeOffset _lastRecovery;

    private TelegramOptions Options => bot.Options;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The reminder brings the channel back after a restart or failover even if no silo asks for it.
        await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        var check = TimeSpan.FromSeconds(Math.Clamp(Options.StallSeconds / 6.0, 0.5, 10));
        this.RegisterGrainTimer(WatchAsync, new GrainTimerCreationOptions(check, check) { Interleave = true, KeepAlive = true });
        Start();
        LogStarted(logger, Options.Mode.ToString(), silo.Name);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _loop?.Cancel();
        LogStopped(logger, silo.Name, reason.Description);
        return Task.CompletedTask;
    }

    public Task EnsureRunningAsync() => Task.CompletedTask; // Activation is what starts it.

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    public async Task<TelegramChannelStatus> GetStatusAsync()
    {
        if (_pending is not { } pending || time.GetUtcNow() - pending.At > TimeSpan.FromSeconds(5))
        {
            try
            {
                var info = await bot.Client.GetWebhookInfo();
                _pending = pending = (info.PendingUpdateCount, time.GetUtcNow());
            }
            catch (Exception ex) when (ex is RequestException or HttpRequestException or TaskCanceledException)
            {
                _lastError = $"getWebhookInfo: {ex.Message}";
            }
        }

        return new TelegramChannelStatus(
            _state,
            Options.Mode.ToString().ToLowerInvariant(),
            _identity,
            _initializedAt,
            _lastPollAt,
            _pending?.Count,
            _lastError,
            state.State.StallRestarts,
            silo.Name,
            state.State.Offset);
    }

    private void Start()
    {
        _loop?.Cancel();
        _loop = new CancellationTokenSource();
        _loopStartedAt = time.GetUtcNow();
        if (Options.Mode == TelegramMode.Polling)
        {
            _ = PollAsync(_loop.Token);
        }
        else
        {
            _ = RegisterWebhookAsync(_loop.Token);
        }
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
                    LogIdentity(logger, _identity.Username ?? _identity.FirstName, _identity.Id);
                }

                var updates = await bot.Client.GetUpdates(
                    (int)state.State.Offset, 100, Options.PollTimeoutSeconds, AllowedUpdates, cancellationToken);
                _lastPollAt = time.GetUtcNow();
                _state = TelegramState.Connected;
                failures = 0;
                if (updates.Length > 0 && await router.RouteBatchAsync(updates, cancellationToken) is { } next && next > state.State.Offset)
                {
                    state.State.Offset = next;
                    await state.WriteStateAsync(cancellationToken);
                }
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
                    await Task.Delay(Backoff(failures, ex), time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
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
            _state = TelegramState.Connected;
            LogWebhookSet(logger, Options.WebhookUrl!);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Fail("setWebhook", ex);
        }
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        await RecoverLeftBehindAsync(cancellationToken);
        if (Options.Mode == TelegramMode.Webhook)
        {
            if (!_webhookRegistered)
            {
                Start();
            }

            return;
        }

        var since = time.GetUtcNow() - (_lastPollAt is { } last && last > _loopStartedAt ? last : _loopStartedAt);
        if (since > TimeSpan.FromSeconds(Options.StallSeconds))
        {
            state.State.StallRestarts++;
            _state = TelegramState.Disconnected;
            _lastError = $"polling stalled: no getUpdates completed for {since.TotalSeconds:0} s; restarted";
            LogStalled(logger, since.TotalSeconds, state.State.StallRestarts);
            Start();
            await state.WriteStateAsync(cancellationToken);
        }
    }

    /// <summary>Wakes sessions holding accepted messages that nobody answered, such as those of a lost silo.</summary>
    private async Task RecoverLeftBehindAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var every = TimeSpan.FromSeconds(Options.RecoverySeconds);
        if (now - _lastRecovery < every)
        {
            return;
        }

        _lastRecovery = now;
        try
        {
            var sessions = await directory.FindPendingAsync(now - every, 200, cancellationToken);
            foreach (var id in sessions)
            {
                await GrainFactory.GetGrain<Sessions.IChatSessionGrain>(id).ResumeAsync().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }

            if (sessions.Count > 0)
            {
                LogRecovered(logger, sessions.Count);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecoveryFailed(logger, ex.Message);
        }
    }

    private void Fail(string call, Exception ex)
    {
        _state = TelegramState.Disconnected;
        _lastError = ex is ApiRequestException api ? $"{call}: {api.ErrorCode} {api.Message}" : $"{call}: {ex.Message}";
        counters.RecordError(_lastError);
        LogFailed(logger, _lastError);
    }

    /// <summary>409 means another poller or a webhook holds the token: wait longer before trying again.</summary>
    private static TimeSpan Backoff(int failures, Exception ex) =>
        ex is ApiRequestException { ErrorCode: 409 } ? TimeSpan.FromSeconds(5)
        : ex is ApiRequestException { ErrorCode: 429, Parameters.RetryAfter: { } after } ? TimeSpan.FromSeconds(after)
        : TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures, 7))));

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram channel started in {Mode} mode on silo {Silo}")]
    private static partial void LogStarted(ILogger logger, string mode, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram channel stopped on silo {Silo} ({Reason})")]
    private static partial void LogStopped(ILogger logger, string silo, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to Telegram as @{Username} ({BotId})")]
    private static partial void LogIdentity(ILogger logger, string username, long botId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram webhook set to {Url}")]
    private static partial void LogWebhookSet(ILogger logger, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Woke {Count} sessions with unanswered Telegram messages")]
    private static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look for unanswered Telegram messages: {Reason}")]
    private static partial void LogRecoveryFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram polling stalled: no getUpdates completed for {Seconds:0} s; restarting it (restart {Count})")]
    private static partial void LogStalled(ILogger logger, double seconds, long count);
}
