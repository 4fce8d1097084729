using Assistant.Storage;
using Assistant.Telegram;

namespace Assistant.Sessions;

/// <summary>
/// A conversation, keyed <c>api:&lt;id&gt;</c> for the HTTP API or <c>tg:&lt;chat id&gt;</c> for
/// Telegram (<see cref="SessionKey"/>); each key space takes only its own kind of message. This
/// grain holds the activation (<see cref="ChatActivation"/>: the stored conversation and inbox, the
/// turn queue) and hands each call to the room that does that job:
/// <list type="bullet">
/// <item><see cref="TurnQueue"/>: one loop answers the session's messages in order;</item>
/// <item><see cref="TelegramDelivery"/>: a Telegram message accepted, answered, retried, given up, resumed;</item>
/// <item><see cref="ApiReplies"/>: an HTTP message answered, streamed, kept for its Idempotency-Key;</item>
/// <item><see cref="ModelExchange"/>: the exchange with the model, with no state of its own;</item>
/// <item><see cref="ConversationUpkeep"/>: settings, pruning, clearing an inactive context;</item>
/// <item><see cref="Memory.ConversationMemory"/>: the summary of pruned turns (after the reply), the export, the erasure on request;</item>
/// <item><see cref="LegacyTakeOver"/>: a conversation stored before the key spaces, taken over at activation;</item>
/// <item><see cref="SessionLedger"/>: the registry, the <c>chat_sessions</c> index, the answered-message log.</item>
/// </list>
/// Not reentrant: the calls that change the session (a Telegram hand-over, a reset, settings, the
/// cleanup's) run one at a time. The reply itself is not a call but the turn queue's loop, so none of
/// them waits for it; asking (which only queues, then waits for its turn), cancelling, reading and
/// the recovery sweep's resume are <c>[AlwaysInterleave]</c> on <see cref="IChatSessionGrain"/>.
/// </summary>
[GrainType("session")]
internal sealed class ChatSessionGrain : Grain, IChatSessionGrain, ISessionAdoption
{
    private readonly ChatActivation _session;
    private readonly TelegramDelivery _telegram;
    private readonly ApiReplies _api;
    private readonly ConversationUpkeep _upkeep;
    private readonly LegacyTakeOver _legacy;
    private readonly SessionLedger _ledger;
    private readonly Memory.ConversationMemory _memory;
    private long _lastCall;

    public ChatSessionGrain(
        SessionStates states,
        TelegramDelivery telegram,
        ApiReplies api,
        ConversationUpkeep upkeep,
        LegacyTakeOver legacy,
        SessionLedger ledger,
        Memory.ConversationMemory memory)
    {
        _memory = memory;
        _telegram = telegram;
        _api = api;
        _upkeep = upkeep;
        _legacy = legacy;
        _ledger = ledger;
        _session = states.Open(this.GetGrainId(), OnConflict);
        _session.Queue = ledger.CreateQueue(_session, AnswerAsync, DelayDeactivation, TurnEnded);
        _session.DeactivateOnIdle = DeactivateOnIdle;
    }

    private ChatSessionState Conversation => _session.Conversation;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Touch();
        if (SessionKey.Check(_session.Id) is { } badKey)
        {
            throw new ArgumentException(badKey);
        }

        await _session.ReadAsync();
        await _legacy.TakeOverAsync(_session);
        await _upkeep.ApplyClearedContextAsync(_session);
        _ledger.Publish(_session);
        _session.Started = _session.Waiting.Any(i => i.Notice is null); // a message waiting only for its notice holds no place under the session cap

        // Telegram messages accepted before a crash or a move to this silo are answered now, each once.
        _telegram.Resume(_session, firstWasInterrupted: true);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _session.SummaryStop.Cancel(); // first: the turns dequeued below must not start one
        foreach (var waiting in _session.Queue.DequeueApiTurns())
        {
            waiting.Fail(new SessionBusyException("The service is restarting; send the message again in a moment."));
        }

        // The reply in progress may finish while Orleans allows; the queue behind it waits in the inbox.
        await _session.Queue.StopAsync(reason.Description, cancellationToken);
        await Memory.ConversationSummarizer.StopAsync(_session, cancellationToken);
        _ledger.Retire(_session);
    }

    public Task<ChatReply> AskAsync(ChatRequest request)
    {
        Touch();
        _memory.Notes.Warm(Memory.NoteOwner.Session(_session.Id));
        return _api.AskAsync(_session, request);
    }

    public IAsyncEnumerable<ReplyEvent> AskStreamingAsync(ChatRequest request)
    {
        Touch();
        return _api.AskStreamingAsync(_session, request);
    }

    public Task<DeliveryOutcome> DeliverAsync(TelegramIncoming message)
    {
        Touch();
        if (Memory.NoteOwner.Sender(message) is { } owner)
        {
            _memory.Notes.Warm(owner); // read while the message is stored, not after
        }

        return _telegram.DeliverAsync(_session, message);
    }

    public Task<int> ResumeAsync()
    {
        Touch();
        return _telegram.ResumeAsync(_session);
    }

    public async Task AdoptLegacyAsync()
    {
        Touch();
        if (await _legacy.TakeOverAsync(_session))
        {
            _telegram.Resume(_session, firstWasInterrupted: false);
        }
    }

    public Task<ChatSettingsView> GetSettingsAsync() => Task.FromResult(_upkeep.Settings(_session));

    public Task<ChatSettingsView> SetSettingsAsync(ChatSettingsChange change) => _upkeep.ChangeSettingsAsync(_session, change);

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
        var queue = _session.Queue;
        return Task.FromResult(new SessionView(
            _session.Id, messages.Count, ContextWindow.TotalTokens(Conversation.Messages), messages, statistics, queue.Current is not null, queue.Count, _session.Waiting.Count, Conversation.Summary?.Text));
    }

    public Task ResetAsync()
    {
        Touch();
        return _ledger.ResetAsync(_session, cancelQueued: true);
    }

    public Task<string> ExportAsync()
    {
        Touch();
        return _memory.Exports.ForApiAsync(_session);
    }

    public Task<Memory.ErasureReport> EraseAsync()
    {
        Touch();
        return _memory.Erasure.EraseAsync(_session, Memory.NoteOwner.Session(_session.Id), asking: null, "api");
    }

    public Task<bool> CancelAsync()
    {
        Touch();
        return Task.FromResult(_session.Queue.CancelCurrent());
    }

    public Task<PruneResult> ForceOptimizationAsync() => _upkeep.PruneAsync(_session);

    public Task<bool> ClearIfInactiveAsync(TimeSpan inactivity) => _upkeep.ClearIfInactiveAsync(_session, inactivity);

    public Task<bool> DeactivateIfIdleAsync(TimeSpan idle)
    {
        if (_session.Queue.Busy || _ledger.Time.GetElapsedTime(_lastCall) < idle)
        {
            return Task.FromResult(false);
        }

        DeactivateOnIdle();
        return Task.FromResult(true);
    }

    private Task AnswerAsync(Turn turn) => turn.Telegram is not null ? _telegram.AnswerAsync(_session, turn) : _api.ReplyAsync(_session, turn);

    private void TurnEnded(Turn turn)
    {
        _session.Idempotent.Ended(turn);
        _telegram.TurnEnded(_session);
        // Turns pruned by this one: summarised after its reply, never before; in a private chat its sender pays.
        _memory.Summaries.Start(_session, turn.Telegram is { Group: false } ? turn.Access : null);
    }

    private void OnConflict() => _ledger.Conflicted(_session);

    private void Touch() => _lastCall = _ledger.Time.GetTimestamp();
}
