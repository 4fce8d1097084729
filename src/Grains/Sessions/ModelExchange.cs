using System.Text;
using Assistant.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// One exchange with the model: the prompt from the context window, the streamed answer, and how
/// the finished exchange is recorded into the conversation. Holds no state of its own.
/// </summary>
internal sealed partial class ModelExchange(
    ChatModel model,
    ChatCatalog catalog,
    Microsoft.Extensions.Options.IOptions<ChatSessionOptions> sessionOptions,
    Metrics.AssistantMetrics metrics,
    Memory.UserNotes userNotes,
    Spending.TurnSpending spending,
    [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<ModelExchange> logger)
{
    private readonly ContextWindow _window = new(sessionOptions.Value.MaxContextMessages, sessionOptions.Value.MaxContextTokens);
    private readonly ContextWindow _awaitingSummary = new(sessionOptions.Value.MaxContextMessages, sessionOptions.Value.MaxContextTokens);
    private readonly bool _summaries = sessionOptions.Value.Summaries && model.Provider != AiProvider.Offline;

    public ChatCatalog Catalog => catalog;

    /// <summary>The tokens sent ahead of the window: the chat's system prompt and the summary of what was pruned (the window leaves room for them).</summary>
    public int PromptTokens(ChatSessionState conversation) =>
        TokenEstimator.Estimate(catalog.PromptOf(conversation.Settings)) + (conversation.Summary?.Tokens ?? 0);

    /// <summary>
    /// Streams the answer of the chat's model to <paramref name="turn"/>, with the chat's persona;
    /// when that model fails with a 429, a 5xx or a timeout before any text, the next of
    /// <c>AI:FallbackModels</c> answers instead. <paramref name="onText"/> sees the answer so far
    /// after each chunk (<see cref="TextSoFar"/>: its text only on demand).
    /// </summary>
    /// <exception cref="SessionStoppingException">When <paramref name="stopping"/> fires first.</exception>
    public async Task<ExchangeResult> GenerateAsync(string sessionId, ChatSessionState conversation, Turn turn, Action<TextSoFar>? onText, CancellationToken stopping)
    {
        // One deadline for the turn, whichever models answer it: a fallback does not restart the clock.
        using var deadline = new CancellationTokenSource(model.ReplyTimeout, time);
        var notes = await NotesAsync(sessionId, turn);
        var spender = turn.Telegram is { } message ? Spending.Spender.Of(message) : sessionId;
        var estimate = PromptEstimate(conversation, turn, notes);
        ExchangeResult? result = null;
        string? previous = null;
        foreach (var candidate in catalog.Candidates(conversation.Settings, turn.Access?.Models))
        {
            if (deadline.IsCancellationRequested)
            {
                break;
            }

            // Each model's call is held for before it is made, at its own price: a fallback too.
            var hold = await spending.AdmitAsync(spender, candidate, estimate, turn.Access?.Limits, group: turn.Telegram?.Group == true);
            if (hold.Refusal is not null)
            {
                return new ExchangeResult(ChatEntry.Create(ChatEntry.User, turn.Request.Text, time.GetUtcNow()), "", ModelFailure.OverBudget, [], Refusal: hold.Refusal, RefusedUntil: hold.ResetsAt);
            }

            if (previous is not null)
            {
                metrics.ModelFallback(previous, candidate);
                LogFallback(logger, sessionId, previous, result!.Failure!, candidate);
            }

            var tokens = new Spending.CallTokens();
            try
            {
                result = await GenerateAsync(sessionId, conversation, turn, notes, onText, stopping, candidate, deadline, tokens) with { NotesTokens = notes?.Tokens ?? 0 };
            }
            catch
            {
                await spending.ReleaseAsync(hold); // the turn stopped before the call ended: nothing reported, nothing recorded
                throw;
            }

            var settle = spending.SettleAsync(hold, tokens, candidate, result.Text);
            if (!ModelFailure.FallsBack(result.Failure) || result.Text.Length > 0)
            {
                turn.Settling(settle); // off the reply's path
                return result;
            }

            await settle; // its hold gone before the fallback's is taken: the turn does not compete with itself

            previous = candidate;
        }

        return result!;
    }

    /// <summary>The tokens the turn's prompt holds at most: system prompt, summary, notes, the whole context and the question.</summary>
    private long PromptEstimate(ChatSessionState conversation, Turn turn, Memory.TurnNotes? notes) =>
        PromptTokens(conversation) + (notes?.Tokens ?? 0) + TokenEstimator.Estimate(turn.Request.Text) + conversation.Messages.Sum(m => (long)TokenEstimator.Estimate(m.Text));

    private async Task<ExchangeResult> GenerateAsync(
        string sessionId, ChatSessionState conversation, Turn turn, Memory.TurnNotes? notes, Action<TextSoFar>? onText, CancellationToken stopping, string modelName, CancellationTokenSource deadline, Spending.CallTokens tokens)
    {
        var context = conversation.Messages;
        var question = ChatEntry.Create(ChatEntry.User, turn.Request.Text, time.GetUtcNow());
        var tools = new List<string>();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(turn.Cancellation.Token, deadline.Token, stopping);
        var text = new StringBuilder();
        var cutOff = false;
        try
        {
            var prompt = BuildPrompt(context, question, turn.Media?.Parts, conversation, notes);
            tokens.Prompt = prompt;
            await foreach (var update in model.StreamAsync(prompt, modelName, linked.Token, notes?.Tools))
            {
                tokens.Add(update.Contents);
                foreach (var content in update.Contents)
                {
                    if (content is FunctionCallContent call)
                    {
                        tools.Add(call.Name);
                        metrics.ToolCalled(call.Name);
                    }
                }

                if (update.FinishReason is { } reason)
                {
                    cutOff = reason == ChatFinishReason.Length; // the last round's: a tool round cut short is followed by another
                }
                if (!string.IsNullOrEmpty(update.Text))
                {
                    text.Append(update.Text);
                    turn.Publish(update.Text);
                    onText?.Invoke(new TextSoFar(text));
                }
            }

            var answer = text.ToString();
            var failure = string.IsNullOrWhiteSpace(answer) ? ModelFailure.InvalidResponse : null;
            return new ExchangeResult(question, answer, failure, tools, CutOff: cutOff);
        }
        catch (Exception) when (stopping.IsCancellationRequested && !turn.Cancellation.IsCancellationRequested)
        {
            throw new SessionStoppingException();
        }
        catch (Exception ex) when (turn.Cancellation.IsCancellationRequested)
        {
            LogCancelled(logger, sessionId, ex.GetType().Name);
            return new ExchangeResult(question, text.ToString(), ModelFailure.Cancelled, tools);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested)
        {
            LogModelFailed(logger, ex, sessionId, ModelFailure.Timeout);
            return new ExchangeResult(question, text.ToString(), ModelFailure.Timeout, tools);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var kind = ModelFailure.Classify(ex);
            LogModelFailed(logger, ex, sessionId, kind);
            var imageRefused = turn.Media?.Parts?.OfType<DataContent>().Any() == true && ModelFailure.RefusedImage(ex, modelName);
            return new ExchangeResult(question, text.ToString(), kind, tools, imageRefused);
        }
    }

    /// <summary>
    /// The notes of the person <paramref name="turn"/> answers (in a group: the one who spoke; over
    /// HTTP: the session's own). Unreadable notes do not stop the reply: it goes without them.
    /// </summary>
    private async Task<Memory.TurnNotes?> NotesAsync(string sessionId, Turn turn)
    {
        try
        {
            return turn.Telegram is not { } message ? await userNotes.ForAsync(Memory.NoteOwner.Session(sessionId), group: false)
                : Memory.NoteOwner.Sender(message) is { } owner ? await userNotes.ForAsync(owner, message.Group)
                : null; // a sender many people share has no notes
        }
        catch (Exception ex)
        {
            LogNotesUnread(logger, sessionId, ex.GetType().Name);
            return null;
        }
    }

    /// <summary>
    /// Adds the exchange to <paramref name="state"/> (a copy about to be written): question and
    /// answer together, or neither. A failed exchange keeps its question (the user asked it) unless
    /// <paramref name="keepFailedQuestion"/> is false: a message sent with an Idempotency-Key may be
    /// sent again, and its question must then be in the context once.
    /// </summary>
    public void Record(ChatSessionState state, ExchangeResult result, long elapsedMs, bool keepFailedQuestion = true)
    {
        var keep = result.Failure is null || (keepFailedQuestion && result.Failure != ModelFailure.OverBudget); // a refused question was never asked
        var statistics = state.Statistics;
        var finished = time.GetUtcNow();
        if (statistics.CreatedAt == default)
        {
            statistics.CreatedAt = result.Question.Time;
        }

        foreach (var tool in result.ToolCalls)
        {
            statistics.Count(statistics.ToolCalls, tool);
        }

        statistics.MessagesReceived++;
        statistics.LastActiveAt = finished;
        if (keep)
        {
            state.Messages.Add(result.Question);
        }

        switch (result.Failure)
        {
            case null:
                state.Messages.Add(ChatEntry.Create(ChatEntry.Assistant, result.Text, finished));
                statistics.Replies++;
                statistics.RecordResponse(elapsedMs);
                break;
            case ModelFailure.OverBudget:
                break; // not a failure of the service: the refusal is counted as such (assistant_budget_refusals_total)
            case ModelFailure.Cancelled:
                statistics.Cancelled++;
                if (keep && result.Text.Length > 0)
                {
                    // The partial answer stays, marked, so the turn remains whole and the model sees what the user saw.
                    state.Messages.Add(ChatEntry.Create(ChatEntry.Assistant, result.Text + " [cancelled]", finished));
                }

                break;
            default:
                statistics.Count(statistics.ErrorsByType, result.Failure);
                break;
        }

        if (_window.Prune(state.Messages, PromptTokens(state) + result.NotesTokens, _summaries ? state.Unsummarized : null) > 0)
        {
            statistics.ContextPrunes++;
            metrics.ContextPruned("window");
            _awaitingSummary.Prune(state.Unsummarized); // bounded while summaries fail: the oldest go unsummarised
        }
    }

    /// <summary>
    /// The system prompt, then the context as it will be once the question joins it; the question
    /// itself as <paramref name="questionParts"/> when it has them (a photo: its caption and image).
    /// </summary>
    private List<ChatMessage> BuildPrompt(IReadOnlyList<ChatEntry> context, ChatEntry question, IList<AIContent>? questionParts, ChatSessionState conversation, Memory.TurnNotes? notes)
    {
        var window = new List<ChatEntry>(context.Count + 1);
        window.AddRange(context);
        window.Add(question);
        var system = catalog.PromptOf(conversation.Settings) + notes?.SystemText;
        _window.Prune(window, PromptTokens(conversation) + (notes?.Tokens ?? 0));

        var prompt = new List<ChatMessage>(window.Count + 2) { new(ChatRole.System, system) };
        if (conversation.Summary is { } summary)
        {
            prompt.Add(new ChatMessage(ChatRole.System, Memory.ConversationSummarizer.Heading + summary.Text));
        }

        foreach (var message in window)
        {
            prompt.Add(ReferenceEquals(message, question) && questionParts is not null
                ? new ChatMessage(ChatRole.User, questionParts)
                : new ChatMessage(message.Role == ChatEntry.User ? ChatRole.User : ChatRole.Assistant, message.Text));
        }

        return prompt;
    }

    // An error: the user got an apology instead of an answer (the failure kind places it among the guide's error patterns).
    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: the model failed ({Kind})")]
    private static partial void LogModelFailed(ILogger logger, Exception exception, string sessionId, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: model {Model} failed ({Kind}); falling back to {Fallback}")]
    private static partial void LogFallback(ILogger logger, string sessionId, string model, string kind, string fallback);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the user's notes could not be read ({Error}); answering without them")]
    private static partial void LogNotesUnread(ILogger logger, string sessionId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: reply cancelled ({Reason})")]
    private static partial void LogCancelled(ILogger logger, string sessionId, string reason);
}
