using Microsoft.Extensions.DependencyInjection;
using System.Runtime.CompilerServices;
using System.Text;
using Assistant.Models;
using Assistant.Telegram;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Assistant.Sessions;

/// <summary>
/// A conversation. Reentrant so that cancel, reset, reads and Telegram hand-overs get through
/// while a reply is streaming; the order of messages is this grain's own queue, worked by one loop.
/// </summary>
[Reentrant]
internal sealed partial class ChatSessionGrain(
    [PersistentState("session")] IPersistentState<ChatSessionState> state,
    ChatModel model,
    IOptions<ChatSessionOptions> options,
    LocalSessionRegistry registry,
    SessionDirectory directory,
    TelegramResponder telegram,
    Metrics.AssistantMetrics metrics,
    Health.IServiceHealthSummary health,
    Maintenance.ServiceMode mode,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<ChatSessionGrain> logger) : Grain, IChatSessionGrain
{
    private readonly ChatSessionOptions _options = options.Value;
    private readonly Queue<Turn> _queue = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private ContextWindow? _window;
    private Turn? _current;
    private Task? _worker;
    private long _lastCall;

    // Bumped by Reset: a reply that started before a reset must not land in the new conversation.
    private int _generation;

    private string SessionId => this.GetPrimaryKeyString();

    private ChatSessionState State => state.State;

    private ContextWindow Window => _window ??= new ContextWindow(_options.MaxContextMessages, _options.MaxContextTokens);

    private int SystemPromptTokens => TokenEstimator.Estimate(_options.SystemPrompt);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _lastCall = time.GetTimestamp();
        registry.Publish(SessionSnapshot.Of(SessionId, State));

        // Telegram messages accepted before a crash or a move to this silo are answered now.
        foreach (var item in State.Inbox)
        {
            Enqueue(new Turn(new ChatRequest(item.Message.Text), time.GetTimestamp(), streaming: false, item));
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // On shutdown, let the reply in progress (and the queue) finish while Orleans allows.
        if (_worker is { } worker)
        {
            try
            {
                await worker.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                LogDeactivatedMidReply(logger, SessionId, reason.Description);
            }
        }

        registry.Remove(SessionId);
    }

    public Task<ChatReply> AskAsync(ChatRequest request) => Accept(request, streaming: false).Completion.Task;

    public IAsyncEnumerable<ReplyEvent> AskStreamingAsync(ChatRequest request) => StreamAsync(Accept(request, streaming: true));

    public async Task<DeliveryOutcome> DeliverAsync(TelegramIncoming message)
    {
        Touch();
        if (State.Knows(message.UpdateId))
        {
            LogDuplicate(logger, SessionId, message.UpdateId);
            return DeliveryOutcome.Duplicate;
        }

        if (mode.Maintenance && IsNew)
        {
            // Politely turned away, and remembered so a redelivery is not answered twice.
            State.RememberUpdate(message.UpdateId);
            await PersistAsync();
            await NoticeAsync(TelegramTarget.For(message), mode.Message);
            return DeliveryOutcome.Accepted;
        }

        var item = new TelegramInboxItem { Message = message, AcceptedAt = time.GetUtcNow() };
        if (message.Content == TelegramContent.Command && TelegramCommands.Name(message.Text) == TelegramCommands.Cancel)
        {
            // /cancel acts now, not after the reply it is meant to stop; its notice follows in order.
            var stoppable = _current is { } current && !current.Cancellation.IsCancellationRequested;
            _current?.Cancellation.Cancel();
            item.Notice = stoppable ? TelegramCommands.Cancelled : TelegramCommands.NothingToCancel;
        }

        State.Inbox.Add(item);
        await PersistAsync();
        await MarkPendingAsync(item.AcceptedAt);
        Enqueue(new Turn(new ChatRequest(message.Text), time.GetTimestamp(), streaming: false, item));
        return DeliveryOutcome.Accepted;
    }

    public Task ResumeAsync()
    {
        // Activation already queued the inbox; this only covers an inbox left behind by a failed worker.
        if (_worker is null)
        {
            foreach (var item in State.Inbox)
            {
                Enqueue(new Turn(new ChatRequest(item.Message.Text), time.GetTimestamp(), streaming: false, item));
            }
        }

        return Task.CompletedTask;
    }

    public Task<SessionView> GetAsync()
    {
        Touch();
        var s = State.Statistics;
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
            s.ContextClearedAt);
        var messages = State.Messages.Select(m => new MessageView(m.Role, m.Text, m.Time)).ToList();
        return Task.FromResult(new SessionView(
            SessionId, messages.Count, ContextWindow.TotalTokens(State.Messages), messages, statistics, _current is not null, _queue.Count, State.Inbox.Count));
    }

    public async Task ResetAsync()
    {
        Touch();
        await ResetConversationAsync(cancelQueued: true);
        LogReset(logger, SessionId);
    }

    public Task<bool> CancelAsync()
    {
        Touch();
        if (_current is not { } turn || turn.Cancellation.IsCancellationRequested)
        {
            return Task.FromResult(false);
        }

        turn.Cancellation.Cancel();
        return Task.FromResult(true);
    }

    public async Task<PruneResult> ForceOptimizationAsync()
    {
        var tight = new ContextWindow(_options.PressureContextMessages, _options.MaxContextTokens / 2);
        var removed = tight.Prune(State.Messages, SystemPromptTokens);
        if (removed > 0)
        {
            State.Statistics.ContextPrunes++;
            metrics.ContextPruned("forced");
            await PersistAsync();
            registry.Publish(SessionSnapshot.Of(SessionId, State));
            LogForcedPrune(logger, SessionId, removed, State.Messages.Count);
        }

        return new PruneResult(removed, State.Messages.Count, ContextWindow.TotalTokens(State.Messages));
    }

    public async Task<bool> ClearIfInactiveAsync(TimeSpan inactivity)
    {
        var now = time.GetUtcNow();
        if (_current is not null || _queue.Count > 0 || State.Messages.Count == 0 || now - State.Statistics.LastActiveAt < inactivity)
        {
            return false;
        }

        State.Messages.Clear();
        State.Statistics.ContextClearedAt = now;
        await PersistAsync();
        registry.Publish(SessionSnapshot.Of(SessionId, State));
        await directory.MarkClearedAsync(SessionId, now);
        LogCleared(logger, SessionId, inactivity.TotalHours);
        return true;
    }

    public Task<bool> DeactivateIfIdleAsync(TimeSpan idle)
    {
        if (_current is not null || _queue.Count > 0 || time.GetElapsedTime(_lastCall) < idle)
        {
            return Task.FromResult(false);
        }

        DeactivateOnIdle();
        return Task.FromResult(true);
    }

    private static async IAsyncEnumerable<ReplyEvent> StreamAsync(Turn turn, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A caller that goes away (client disconnect) cancels its reply.
        await using var stopOnDisconnect = cancellationToken.Register(turn.Cancellation.Cancel);
        await foreach (var item in turn.Events!.Reader.ReadAllAsync(CancellationToken.None))
        {
            yield return item;
        }
    }

    /// <summary>A session that has never exchanged a message: maintenance mode turns these away.</summary>
    private bool IsNew => State.Statistics.CreatedAt == default && State.Messages.Count == 0 && State.Inbox.Count == 0;

    private Turn Accept(ChatRequest request, bool streaming)
    {
        Touch();
        if (mode.Maintenance && IsNew)
        {
            throw new MaintenanceModeException(mode.Message);
        }

        var text = request.Text?.Trim() ?? "";
        if (text.Length == 0 || text.Length > _options.MaxMessageChars)
        {
            throw new ArgumentException($"A message must have between 1 and {_options.MaxMessageChars} characters.", nameof(request));
        }

        if (_queue.Count >= _options.MaxQueuedMessages)
        {
            throw new SessionBusyException($"Session {SessionId} already has {_queue.Count} messages waiting; try again when the current reply is done.");
        }

        var turn = new Turn(request with { Text = text }, time.GetTimestamp(), streaming);
        Enqueue(turn);
        return turn;
    }

    private void Enqueue(Turn turn)
    {
        _queue.Enqueue(turn);
        _worker ??= WorkAsync();
    }

    private async Task WorkAsync()
    {
        // Always asynchronous, so _worker is stored before the loop can end and clear it (a reply
        // from the offline model, on SQLite, can otherwise complete synchronously).
        await Task.Yield();
        while (_queue.TryDequeue(out var turn))
        {
            _current = turn;
            registry.ReplyStarted(telegram: turn.Telegram is not null);
            try
            {
                if (turn.Telegram is { } item)
                {
                    await AnswerTelegramAsync(turn, item);
                }
                else
                {
                    await ReplyAsync(turn);
                }
            }
            catch (Exception ex)
            {
                LogExchangeFailed(logger, ex, SessionId);
                turn.Fail(ex);
            }
            finally
            {
                _current = null;
                registry.ReplyFinished(telegram: turn.Telegram is not null);
            }
        }

        _worker = null;
    }

    private async Task AnswerTelegramAsync(Turn turn, TelegramInboxItem item)
    {
        var message = item.Message;
        var target = TelegramTarget.For(message);
        switch (message.Content)
        {
            case TelegramContent.Text when telegram.IsAllowed(message.UserId):
                await ReplyAsync(turn);
                return;
            case TelegramContent.Text:
                if (!State.RefusedUsers.Contains(message.UserId))
                {
                    State.RefusedUsers.Add(message.UserId);
                    await NoticeAsync(target, TelegramCommands.NotAllowed);
                }

                break;
            case TelegramContent.Command:
                await NoticeAsync(target, await RunCommandAsync(item));
                break;
            default:
                await NoticeAsync(target, TelegramCommands.Unsupported(message.Content));
                break;
        }

        FinishTelegram(item);
        await PersistAsync();
        await TouchDirectoryAsync();
    }

    private async Task<string> RunCommandAsync(TelegramInboxItem item)
    {
        var message = item.Message;
        if (!telegram.IsAllowed(message.UserId))
        {
            return TelegramCommands.NotAllowed;
        }

        switch (TelegramCommands.Name(message.Text))
        {
            case TelegramCommands.Start:
                return TelegramCommands.Welcome(message.FirstName);
            case TelegramCommands.Help:
                return TelegramCommands.HelpText;
            case TelegramCommands.Reset:
                await ResetConversationAsync(cancelQueued: false);
                return TelegramCommands.ResetDone;
            case TelegramCommands.Cancel:
                return item.Notice ?? TelegramCommands.NothingToCancel;
            case TelegramCommands.Status:
                return telegram.IsAdmin(message.UserId) ? await health.DescribeAsync() : TelegramCommands.AdminsOnly;
            default:
                return TelegramCommands.UnknownCommand;
        }
    }

    private async Task NoticeAsync(TelegramTarget target, string text)
    {
        try
        {
            await telegram.NoticeAsync(target, text);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNoticeFailed(logger, ex, SessionId);
        }
    }

    private void FinishTelegram(TelegramInboxItem item)
    {
        State.Inbox.Remove(item);
        State.RememberUpdate(item.Message.UpdateId);
    }

    private async Task ResetConversationAsync(bool cancelQueued)
    {
        _generation++;
        _current?.Cancellation.Cancel();
        if (cancelQueued)
        {
            var keep = new List<Turn>();
            while (_queue.TryDequeue(out var waiting))
            {
                if (waiting.Telegram is not null)
                {
                    keep.Add(waiting); // Accepted Telegram messages are still answered, in the new conversation.
                    continue;
                }

                waiting.Complete(new ChatReply("The conversation was reset before this message was answered.", 0, Elapsed(waiting), ModelFailure.Cancelled));
            }

            keep.ForEach(_queue.Enqueue);
        }

        State.Messages.Clear();
        await PersistAsync();
        registry.Publish(SessionSnapshot.Of(SessionId, State));
    }

    /// <summary>
    /// One exchange. The context changes only at the end (question and answer together), so a
    /// state write in between (a Telegram message id) never records half an exchange.
    /// </summary>
    private async Task ReplyAsync(Turn turn)
    {
        var generation = _generation;
        var question = ChatEntry.Create(ChatEntry.User, turn.Request.Text, time.GetUtcNow());
        var writer = turn.Telegram is { } item ? telegram.CreateWriter(TelegramTarget.For(item.Message), item.ReplyMessageIds, PersistAsync) : null;

        var (text, failure) = await GenerateAsync(turn, question, writer);

        var reply = failure switch
        {
            null => text,
            ModelFailure.Cancelled when text.Length > 0 => text + "\n\n(cancelled)",
            _ => ModelFailure.Apology(failure),
        };

        if (writer is not null)
        {
            try
            {
                await writer.FinishAsync(reply, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The chat may be gone (bot blocked, chat deleted): the exchange is still kept.
                LogTelegramDeliveryFailed(logger, ex, SessionId);
            }
        }

        var elapsed = Elapsed(turn);
        if (generation == _generation)
        {
            Record(question, text, failure, elapsed);
        }

        if (turn.Telegram is { } done)
        {
            FinishTelegram(done);
        }

        await PersistAsync();
        registry.Publish(SessionSnapshot.Of(SessionId, State));
        await TouchDirectoryAsync();
        turn.Complete(generation == _generation
            ? new ChatReply(reply, State.Messages.Count, elapsed, failure)
            : new ChatReply("The conversation was reset while this reply was being written.", State.Messages.Count, elapsed, ModelFailure.Cancelled));
    }

    private void Record(ChatEntry question, string text, string? failure, long elapsed)
    {
        var statistics = State.Statistics;
        var finished = time.GetUtcNow();
        if (statistics.CreatedAt == default)
        {
            statistics.CreatedAt = question.Time;
        }

        statistics.MessagesReceived++;
        statistics.LastActiveAt = finished;
        State.Messages.Add(question);
        switch (failure)
        {
            case null:
                State.Messages.Add(ChatEntry.Create(ChatEntry.Assistant, text, finished));
                statistics.Replies++;
                statistics.RecordResponse(elapsed);
                break;
            case ModelFailure.Cancelled:
                statistics.Cancelled++;
                if (text.Length > 0)
                {
                    // The partial answer stays, marked, so the turn remains whole and the model sees what the user saw.
                    State.Messages.Add(ChatEntry.Create(ChatEntry.Assistant, text + " [cancelled]", finished));
                }

                break;
            default:
                statistics.Count(statistics.ErrorsByType, failure);
                break;
        }

        if (Window.Prune(State.Messages, SystemPromptTokens) > 0)
        {
            statistics.ContextPrunes++;
            metrics.ContextPruned("window");
        }
    }

    /// <summary>Streams the model's answer; returns the text and, when it did not complete, the kind of failure.</summary>
    private async Task<(string Text, string? Failure)> GenerateAsync(Turn turn, ChatEntry question, TelegramReplyWriter? writer)
    {
        using var deadline = new CancellationTokenSource(model.ReplyTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(turn.Cancellation.Token, deadline.Token);
        var text = new StringBuilder();
        try
        {
            await foreach (var update in model.StreamAsync(BuildPrompt(question), linked.Token))
            {
                CountToolCalls(update);
                if (!string.IsNullOrEmpty(update.Text))
                {
                    text.Append(update.Text);
                    turn.Publish(update.Text);
                    writer?.OnText(text.ToString());
                }
            }

            return text.ToString().Trim().Length == 0 ? (text.ToString(), ModelFailure.InvalidResponse) : (text.ToString(), null);
        }
        catch (Exception ex) when (turn.Cancellation.IsCancellationRequested)
        {
            LogCancelled(logger, SessionId, ex.GetType().Name);
            return (text.ToString(), ModelFailure.Cancelled);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested)
        {
            LogModelFailed(logger, ex, SessionId, ModelFailure.Timeout);
            return (text.ToString(), ModelFailure.Timeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var kind = ModelFailure.Classify(ex);
            LogModelFailed(logger, ex, SessionId, kind);
            return (text.ToString(), kind);
        }
    }

    /// <summary>The system prompt, then the context as it will be once the question joins it.</summary>
    private List<ChatMessage> BuildPrompt(ChatEntry question)
    {
        var window = new List<ChatEntry>(State.Messages.Count + 1);
        window.AddRange(State.Messages);
        window.Add(question);
        Window.Prune(window, SystemPromptTokens);

        var prompt = new List<ChatMessage>(window.Count + 1) { new(ChatRole.System, _options.SystemPrompt) };
        foreach (var message in window)
        {
            prompt.Add(new ChatMessage(message.Role == ChatEntry.User ? ChatRole.User : ChatRole.Assistant, message.Text));
        }

        return prompt;
    }

    private void CountToolCalls(ChatResponseUpdate update)
    {
        foreach (var content in update.Contents)
        {
            if (content is FunctionCallContent call)
            {
                State.Statistics.Count(State.Statistics.ToolCalls, call.Name);
            }
        }
    }

    private async Task PersistAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task TouchDirectoryAsync()
    {
        try
        {
            var s = State.Statistics;
            var now = time.GetUtcNow();
            DateTimeOffset? pending = State.Inbox.Count == 0 ? null : State.Inbox.Min(i => i.AcceptedAt);
            await directory.TouchAsync(SessionId, s.CreatedAt == default ? now : s.CreatedAt, s.LastActiveAt == default ? now : s.LastActiveAt, State.Messages.Count, pending);

            // A message delivered while that write was under way may have marked itself pending just
            // before the write cleared the mark; mark it again, or a lost silo would leave it unanswered.
            if (pending is null && State.Inbox.Count > 0)
            {
                await directory.MarkPendingAsync(SessionId, State.Inbox.Min(i => i.AcceptedAt));
            }
        }
        catch (Exception ex)
        {
            // The index only drives the 24 h cleanup; the exchange itself is already saved.
            LogDirectoryFailed(logger, ex, SessionId);
        }
    }

    private async Task MarkPendingAsync(DateTimeOffset since)
    {
        try
        {
            await directory.MarkPendingAsync(SessionId, since);
        }
        catch (Exception ex)
        {
            // Only recovery after a lost silo depends on it; the message itself is already saved.
            LogDirectoryFailed(logger, ex, SessionId);
        }
    }

    private void Touch() => _lastCall = time.GetTimestamp();

    private long Elapsed(Turn turn) => (long)time.GetElapsedTime(turn.AcceptedAt).TotalMilliseconds;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the model failed ({Kind})")]
    private static partial void LogModelFailed(ILogger logger, Exception exception, string sessionId, string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: reply cancelled ({Reason})")]
    private static partial void LogCancelled(ILogger logger, string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: the exchange failed")]
    private static partial void LogExchangeFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: could not update the chat_sessions index")]
    private static partial void LogDirectoryFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: conversation reset")]
    private static partial void LogReset(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: forced prune removed {Removed} messages, {Remaining} left")]
    private static partial void LogForcedPrune(ILogger logger, string sessionId, int removed, int remaining);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: context cleared after {Hours} h without messages")]
    private static partial void LogCleared(ILogger logger, string sessionId, double hours);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: deactivated ({Reason}) before the reply in progress finished")]
    private static partial void LogDeactivatedMidReply(ILogger logger, string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: Telegram update {UpdateId} was already received; ignored")]
    private static partial void LogDuplicate(ILogger logger, string sessionId, long updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: a notice could not be sent to Telegram")]
    private static partial void LogNoticeFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the reply could not be delivered to Telegram; it is kept in the conversation")]
    private static partial void LogTelegramDeliveryFailed(ILogger logger, Exception exception, string sessionId);
}
