using System.Runtime.CompilerServices;
using System.Text;
using Assistant.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Assistant.Sessions;

/// <summary>
/// A conversation. Reentrant so that cancel, reset and reads get through while a reply is
/// streaming; the ordering of messages is this grain's own queue, worked by one loop.
/// </summary>
[Reentrant]
internal sealed partial class ChatSessionGrain(
    [PersistentState("session")] IPersistentState<ChatSessionState> state,
    ChatModel model,
    IOptions<ChatSessionOptions> options,
    LocalSessionRegistry registry,
    SessionDirectory directory,
    TimeProvider time,
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

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _lastCall = time.GetTimestamp();
        registry.Publish(SessionSnapshot.Of(SessionId, State));
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

    private static async IAsyncEnumerable<ReplyEvent> StreamAsync(Turn turn, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A caller that goes away (client disconnect) cancels its reply.
        await using var stopOnDisconnect = cancellationToken.Register(turn.Cancellation.Cancel);
        await foreach (var item in turn.Events!.Reader.ReadAllAsync(CancellationToken.None))
        {
            yield return item;
        }
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
            SessionId, messages.Count, ContextWindow.TotalTokens(State.Messages), messages, statistics, _current is not null, _queue.Count));
    }

    public async Task ResetAsync()
    {
        Touch();
        _generation++;
        _current?.Cancellation.Cancel();
        while (_queue.TryDequeue(out var waiting))
        {
            waiting.Complete(new ChatReply("The conversation was reset before this message was answered.", 0, Elapsed(waiting), ModelFailure.Cancelled));
        }

        State.Messages.Clear();
        await PersistAsync();
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
        var removed = tight.Prune(State.Messages, TokenEstimator.Estimate(_options.SystemPrompt));
        if (removed > 0)
        {
            State.Statistics.ContextPrunes++;
            await PersistAsync();
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

    private Turn Accept(ChatRequest request, bool streaming)
    {
        Touch();
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
        _queue.Enqueue(turn);
        _worker ??= WorkAsync();
        return turn;
    }

    private async Task WorkAsync()
    {
        while (_queue.TryDequeue(out var turn))
        {
            _current = turn;
            try
            {
                await ReplyAsync(turn);
            }
            catch (Exception ex)
            {
                LogExchangeFailed(logger, ex, SessionId);
                turn.Fail(ex);
            }
            finally
            {
                _current = null;
            }
        }

        _worker = null;
    }

    private async Task ReplyAsync(Turn turn)
    {
        var generation = _generation;
        var statistics = State.Statistics;
        var now = time.GetUtcNow();
        if (statistics.CreatedAt == default)
        {
            statistics.CreatedAt = now;
        }

        statistics.LastActiveAt = now;
        statistics.MessagesReceived++;
        State.Messages.Add(ChatEntry.Create(ChatEntry.User, turn.Request.Text, now));
        Prune();

        var (text, failure) = await GenerateAsync(turn);
        if (generation != _generation)
        {
            turn.Complete(new ChatReply("The conversation was reset while this reply was being written.", 0, Elapsed(turn), ModelFailure.Cancelled));
            return;
        }

        var finished = time.GetUtcNow();
        var elapsed = Elapsed(turn);
        string reply;
        if (failure is null)
        {
            State.Messages.Add(ChatEntry.Create(ChatEntry.Assistant, text, finished));
            statistics.Replies++;
            statistics.RecordResponse(elapsed);
            reply = text;
        }
        else if (failure == ModelFailure.Cancelled)
        {
            statistics.Cancelled++;
            if (text.Length > 0)
            {
                // The partial answer stays, marked, so the turn remains whole and the model sees what the user saw.
                State.Messages.Add(ChatEntry.Create(ChatEntry.Assistant, text + " [cancelled]", finished));
            }

            reply = text.Length > 0 ? text + "\n\n(cancelled)" : ModelFailure.Apology(failure);
        }
        else
        {
            statistics.Count(statistics.ErrorsByType, failure);
            reply = ModelFailure.Apology(failure);
        }

        statistics.LastActiveAt = finished;
        Prune();
        await PersistAsync();
        registry.Publish(SessionSnapshot.Of(SessionId, State));
        await TouchDirectoryAsync();
        turn.Complete(new ChatReply(reply, State.Messages.Count, elapsed, failure));
    }

    /// <summary>Streams the model's answer; returns the text and, when it did not complete, the kind of failure.</summary>
    private async Task<(string Text, string? Failure)> GenerateAsync(Turn turn)
    {
        using var deadline = new CancellationTokenSource(model.ReplyTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(turn.Cancellation.Token, deadline.Token);
        var text = new StringBuilder();
        try
        {
            await foreach (var update in model.StreamAsync(BuildPrompt(), linked.Token))
            {
                CountToolCalls(update);
                if (!string.IsNullOrEmpty(update.Text))
                {
                    text.Append(update.Text);
                    turn.Publish(update.Text);
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

    private List<ChatMessage> BuildPrompt()
    {
        var prompt = new List<ChatMessage>(State.Messages.Count + 1) { new(ChatRole.System, _options.SystemPrompt) };
        foreach (var message in State.Messages)
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

    private void Prune()
    {
        if (Window.Prune(State.Messages, TokenEstimator.Estimate(_options.SystemPrompt)) > 0)
        {
            State.Statistics.ContextPrunes++;
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
            await directory.TouchAsync(SessionId, s.CreatedAt, s.LastActiveAt, State.Messages.Count);
        }
        catch (Exception ex)
        {
            // The index only drives the 24 h cleanup; the exchange itself is already saved.
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
}
