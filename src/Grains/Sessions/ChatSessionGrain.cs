using Microsoft.Extensions.DependencyInjection;
using System.Runtime.CompilerServices;
using Assistant.Models;
using Assistant.Telegram;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Assistant.Storage;
using Orleans.Serialization;

namespace Assistant.Sessions;

/// <summary>
/// A conversation, keyed <c>api:&lt;id&gt;</c> for the HTTP API or <c>tg:&lt;chat id&gt;</c> for
/// Telegram (<see cref="SessionKey"/>); each key space takes only its own kind of message. Reentrant so that cancel, reset, reads and Telegram hand-overs get through
/// while a reply is streaming; the order of messages is this grain's own queue, worked by one loop
/// (<c>ChatSessionGrain.Queue.cs</c>). Telegram messages wait in an inbox of their own
/// (<c>ChatSessionGrain.Inbox.cs</c>) and are answered in <c>ChatSessionGrain.Telegram.cs</c>
/// (photos, voice and documents read in <c>ChatSessionGrain.Media.cs</c>);
/// the exchange with the model is <see cref="ModelExchange"/>.
/// Both persistent states change only through <see cref="DurableState{T}"/>: what is read is what was stored.
/// </summary>
[Reentrant, GrainType("session")]
internal sealed partial class ChatSessionGrain : Grain, IChatSessionGrain, ISessionAdoption, Commands.ICommandHost
{
    private readonly DurableState<ChatSessionState> _session;
    private readonly DurableState<TelegramInboxState> _inbox;
    private readonly ChatSessionOptions _options;
    private readonly ModelExchange _exchange;
    private readonly LocalSessionRegistry _registry;
    private readonly SessionDirectory _directory;
    private readonly LegacySessions _legacy;
    private readonly TelegramResponder _telegram;
    private readonly TelegramCounters _telegramCounters;
    private readonly DeadLetters _deadLetters;
    private readonly Metrics.AssistantMetrics _metrics;
    private readonly Health.IServiceHealthSummary _health;
    private readonly SessionAdmission _admission;
    private readonly TimeProvider _time;
    private readonly ILogger<ChatSessionGrain> _logger;
    private long _lastCall;

    // Bumped by Reset: a reply that started before a reset must not land in the new conversation.
    private int _generation;

    private readonly IdempotentTurns _idempotent = new();

    // Set once the activation has left the registry (OnDeactivateAsync).
    private bool _retired;

    // Whether this activation has taken a message (not turned one away): the session cap counts it from then on.
    private bool _started;

    public ChatSessionGrain(
        [PersistentState("conversation")] IPersistentState<ChatSessionState> session,
        [PersistentState(InboxPendingMark.StateName)] IPersistentState<TelegramInboxState> inbox,
        DeepCopier<ChatSessionState> sessionCopier,
        DeepCopier<TelegramInboxState> inboxCopier,
        ModelExchange exchange,
        IOptions<ChatSessionOptions> options,
        LocalSessionRegistry registry,
        SessionDirectory directory,
        LegacySessions legacy,
        TelegramResponder telegram,
        TelegramCounters telegramCounters,
        DeadLetters deadLetters,
        Metrics.AssistantMetrics metrics,
        Health.IServiceHealthSummary health,
        SessionAdmission admission,
        [FromKeyedServices(Clock.Key)] TimeProvider time,
        ILogger<ChatSessionGrain> logger)
    {
        _session = new DurableState<ChatSessionState>(session, sessionCopier);
        _inbox = new DurableState<TelegramInboxState>(inbox, inboxCopier);
        _options = options.Value;
        _exchange = exchange;
        _registry = registry;
        _directory = directory;
        _legacy = legacy;
        _telegram = telegram;
        _telegramCounters = telegramCounters;
        _deadLetters = deadLetters;
        _metrics = metrics;
        _health = health;
        _admission = admission;
        _time = time;
        _logger = logger;
    }

    private string SessionId => this.GetPrimaryKeyString();

    private ChatSessionState Conversation => _session.Value;

    /// <summary>A session that has never exchanged a message: maintenance mode turns these away.</summary>
    private bool IsNew => Conversation.Statistics.CreatedAt == default && Conversation.Messages.Count == 0 && _inbox.Value.Items.Count == 0;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _lastCall = _time.GetTimestamp();
        if (SessionKey.Check(SessionId) is { } badKey)
        {
            throw new ArgumentException(badKey);
        }

        await TakeOverLegacyAsync();
        await ApplyClearedContextAsync();
        PublishSnapshot();
        _started = Waiting.Any(i => i.Notice is null); // answered items stay stored until the next is accepted: only unanswered work counts

        // Telegram messages accepted before a crash or a move to this silo are answered now, each once.
        ResumeInbox(firstWasInterrupted: true);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await StopWorkAsync(reason, cancellationToken);
        _retired = true;
        _registry.Remove(SessionId);
    }

    /// <summary>
    /// What this silo's registry shows of the session; nothing once the activation has left it:
    /// work that outlives the activation (a write Orleans stopped waiting for) must not put it back.
    /// </summary>
    private void PublishSnapshot()
    {
        if (!_retired)
        {
            _registry.Publish(SessionSnapshot.Of(SessionId, Conversation));
        }
    }

    public Task<ChatReply> AskAsync(ChatRequest request) =>
        _idempotent.Known(request, Conversation, _time.GetUtcNow()) ?? Accept(request, streaming: false).Completion.Task;

    public IAsyncEnumerable<ReplyEvent> AskStreamingAsync(ChatRequest request) =>
        _idempotent.Known(request, Conversation, _time.GetUtcNow()) is { } known
            ? IdempotentTurns.Replay(known)
            : StreamAsync(Accept(request, streaming: true), stopOnDisconnect: request.IdempotencyKey is null);

    public Task<ChatSettingsView> GetSettingsAsync() => Task.FromResult(_exchange.Catalog.View(Conversation.Settings));

    public async Task<ChatSettingsView> SetSettingsAsync(ChatSettingsChange change)
    {
        var catalog = _exchange.Catalog;
        var bad = (change.Model is { } model ? catalog.CheckModel(model) : null) ?? (change.Persona is { } persona ? catalog.CheckPersona(persona) : null);
        if (bad is not null)
        {
            throw new ArgumentException(bad, nameof(change));
        }

        await _session.UpdateAsync(s =>
        {
            var settings = s.Settings ??= new ChatSettings();
            settings.Model = change.Model ?? settings.Model;
            if (change.Persona is not null)
            {
                (settings.Persona, settings.CustomPrompt) = (change.Persona, null);
            }
        });
        return catalog.View(Conversation.Settings);
    }

    Models.ChatCatalog Commands.ICommandHost.Catalog => _exchange.Catalog;

    ChatSettings? Commands.ICommandHost.Settings => Conversation.Settings;

    Task Commands.ICommandHost.SaveSettingsAsync(Action<ChatSettings> change) => _session.UpdateAsync(s => change(s.Settings ??= new ChatSettings()));

    Task Commands.ICommandHost.ResetAsync() => ResetConversationAsync(cancelQueued: false);

    Task<string> Commands.ICommandHost.DescribeHealthAsync() => _health.DescribeAsync();

    public Task<SessionView> GetAsync()
    {
        Touch();
        var s = Conversation.Statistics;
        var statistics = new SessionStatisticsView(
            s.CreatedAt,
            s.LastActiveAt,
            s.MessagesReceived,
            s.Replies,
            s.Replies == 0 ? 0 : Math.Round((double)s.TotalResponseMs / s.Replies, 1),
            [.. s.RecentResponseMs],
            new Dictionary<string, long>(s.ErrorsByType),
            new Dictionary<string, long>(s.ToolCalls),
            s.Cancelled,
            s.ContextPrunes,
            s.ContextClearedAt,
            new Dictionary<string, long>(s.MessagesByKind));
        var messages = Conversation.Messages.Select(m => new MessageView(m.Role, m.Text, m.Time)).ToList();
        return Task.FromResult(new SessionView(
            SessionId, messages.Count, ContextWindow.TotalTokens(Conversation.Messages), messages, statistics, _current is not null, QueuedCount, Waiting.Count()));
    }

    public async Task ResetAsync()
    {
        Touch();
        await ResetConversationAsync(cancelQueued: true);
        LogReset(_logger, SessionId);
    }

    public Task<bool> CancelAsync()
    {
        Touch();
        return Task.FromResult(CancelCurrent());
    }

    public async Task<PruneResult> ForceOptimizationAsync()
    {
        var tight = new ContextWindow(_options.PressureContextMessages, _options.MaxContextTokens / 2);
        var removed = 0;
        await _session.UpdateAsync(s =>
        {
            removed = tight.Prune(s.Messages, _exchange.SystemPromptTokens(s.Settings));
            if (removed > 0)
            {
                s.Statistics.ContextPrunes++;
            }

            return removed > 0;
        });
        if (removed > 0)
        {
            _metrics.ContextPruned("forced");
            PublishSnapshot();
            LogForcedPrune(_logger, SessionId, removed, Conversation.Messages.Count);
        }

        return new PruneResult(removed, Conversation.Messages.Count, ContextWindow.TotalTokens(Conversation.Messages));
    }

    public Task<bool> DeactivateIfIdleAsync(TimeSpan idle)
    {
        if (Busy || _time.GetElapsedTime(_lastCall) < idle)
        {
            return Task.FromResult(false);
        }

        DeactivateOnIdle();
        return Task.FromResult(true);
    }

    private static async IAsyncEnumerable<ReplyEvent> StreamAsync(Turn turn, bool stopOnDisconnect, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A caller that goes away (client disconnect) cancels its reply, unless it sent an
        // Idempotency-Key: it is expected back for the reply, which is finished and kept for it.
        await using var stop = stopOnDisconnect ? cancellationToken.Register(turn.Cancellation.Cancel) : default;
        await foreach (var item in turn.Events!.Reader.ReadAllAsync(CancellationToken.None))
        {
            yield return item;
        }
    }

    private Turn Accept(ChatRequest request, bool streaming)
    {
        Touch();
        if (!SessionKey.IsApi(SessionId))
        {
            throw new ArgumentException($"Session {SessionId} is a Telegram chat; the HTTP API's sessions are keyed {SessionKey.ApiPrefix}<id>.", nameof(request));
        }

        switch (_admission.Check(IsNew, !_started, MessageKind.Api))
        {
            case { Kind: RefusalKind.Maintenance } maintenance:
                throw new MaintenanceModeException(maintenance.Message);
            case { } full:
                DeactivateOnIdle(); // turned away: it holds no place under the cap
                throw new SessionLimitException(full.Message);
        }

        var text = request.Text?.Trim() ?? "";
        if (text.Length == 0 || text.Length > _options.MaxMessageChars)
        {
            throw new ArgumentException($"A message must have between 1 and {_options.MaxMessageChars} characters.", nameof(request));
        }

        if (QueuedCount >= _options.MaxQueuedMessages)
        {
            throw new SessionBusyException($"Session {SessionId} already has {QueuedCount} messages waiting; try again when the current reply is done.");
        }

        var turn = Turn.ForApi(request with { Text = text }, _time.GetTimestamp(), streaming);
        _idempotent.Started(turn);
        Enqueue(turn);
        _started = true;
        _metrics.MessageReceived(MessageKind.Api);
        return turn;
    }

    /// <summary>A message from the HTTP API: the caller awaits the reply (or streams it).</summary>
    private async Task ReplyAsync(Turn turn)
    {
        var generation = _generation;
        var result = await _exchange.GenerateAsync(SessionId, Conversation, turn, onText: null, _stopping.Token);
        var elapsed = Elapsed(turn);
        var current = generation == _generation;
        if (!current)
        {
            turn.Complete(new ChatReply("The conversation was reset while this reply was being written.", Conversation.Messages.Count, elapsed, ModelFailure.Cancelled));
            return;
        }

        ChatReply reply = null!;
        await _session.UpdateAsync(s =>
        {
            _exchange.Record(s, result, elapsed, keepFailedQuestion: turn.Request.IdempotencyKey is null);
            s.Statistics.Count(s.Statistics.MessagesByKind, MessageKind.Text);
            reply = new ChatReply(result.Reply, s.Messages.Count, elapsed, result.Failure);
            IdempotentTurns.Keep(s, turn, reply, _time.GetUtcNow()); // with the exchange, in one write
        });
        Answered(MessageKind.Api, MessageKind.Text, elapsed, result.Failure);
        PublishSnapshot();
        await TouchDirectoryAsync();
        turn.Complete(reply);
    }

    private async Task ResetConversationAsync(bool cancelQueued)
    {
        _generation++;
        _current?.Cancellation.Cancel();
        if (cancelQueued)
        {
            foreach (var waiting in DequeueApiTurns())
            {
                waiting.Complete(new ChatReply("The conversation was reset before this message was answered.", 0, Elapsed(waiting), ModelFailure.Cancelled));
            }
        }

        await _session.UpdateAsync(s =>
        {
            s.Messages.Clear();
            s.KeptReplies.Clear(); // a reset conversation keeps no replies: a repeated key then asks again
        });
        PublishSnapshot();
    }

    private async Task TouchDirectoryAsync()
    {
        if (_retired)
        {
            return; // work that outlived its activation: the next activation's view of the row is the one that counts
        }

        try
        {
            await WriteDirectoryAsync();
        }
        catch (Exception ex)
        {
            // The index drives the 24 h cleanup and recovery; the exchange itself is already saved.
            LogDirectoryFailed(_logger, ex, SessionId);
        }
    }

    private async Task WriteDirectoryAsync()
    {
        var s = Conversation.Statistics;
        var now = _time.GetUtcNow();
        var waiting = Waiting.ToList();
        DateTimeOffset? pending = waiting.Count == 0 ? null : waiting.Min(i => i.AcceptedAt);
        await _directory.TouchAsync(SessionId, s.CreatedAt == default ? now : s.CreatedAt, s.LastActiveAt == default ? now : s.LastActiveAt, Conversation.Messages.Count, pending);

        // A message delivered while that write was under way may have marked itself pending just
        // before the write cleared the mark; mark it again, or a lost silo would leave it unanswered.
        if (pending is null && Waiting.Any())
        {
            await _directory.MarkPendingAsync(SessionId, Waiting.Min(i => i.AcceptedAt));
        }
    }

    private void Touch() => _lastCall = _time.GetTimestamp();

    /// <summary>
    /// One answered message: counted and timed in the metrics, and logged with its response time
    /// as the line's last field, so <c>grep "Response time:" logs/system.log | awk '{print $NF}'</c>
    /// prints one figure per reply, in milliseconds.
    /// </summary>
    private void Answered(string channel, string kind, long elapsedMs, string? error)
    {
        _metrics.MessageAnswered(channel, kind, elapsedMs, error);
        LogAnswered(_logger, SessionId, channel, kind, error ?? "ok", elapsedMs);
    }

    private long Elapsed(Turn turn) => (long)_time.GetElapsedTime(turn.AcceptedAt).TotalMilliseconds;

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: the exchange failed")]
    private static partial void LogExchangeFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: could not update the chat_sessions index")]
    private static partial void LogDirectoryFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: {Channel} {Kind} message answered ({Outcome}). Response time: {ResponseMs}")]
    private static partial void LogAnswered(ILogger logger, string sessionId, string channel, string kind, string outcome, long responseMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: conversation reset")]
    private static partial void LogReset(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: forced prune removed {Removed} messages, {Remaining} left")]
    private static partial void LogForcedPrune(ILogger logger, string sessionId, int removed, int remaining);
}
