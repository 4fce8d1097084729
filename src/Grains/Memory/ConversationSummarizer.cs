using System.Globalization;
using System.Text;
using Assistant.Metrics;
using Assistant.Models;
using Assistant.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Memory;

/// <summary>
/// Summarises the turns pruned from a conversation's window (<see cref="ChatSessionState.Unsummarized"/>)
/// together with the previous summary, after the exchange that pruned them is recorded: the reply
/// never waits for it. A failure keeps the old summary and the turns, and is tried again at the next
/// prune. Runs inside the activation and stops with it; keeps no state of its own.
/// </summary>
internal sealed partial class ConversationSummarizer(
    ChatModel model,
    ChatCatalog catalog,
    IOptions<AiOptions> ai,
    IOptions<ChatSessionOptions> sessions,
    MemoryMetrics metrics,
    Spending.TurnSpending spending,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<ConversationSummarizer> logger)
{
    /// <summary>How a summary is introduced to the model at the head of a request.</summary>
    public const string Heading = "Summary of the earlier conversation (its older messages are no longer shown):\n";

    public const string Instruction =
        "Summarise the earlier conversation below for your own later use. Keep the facts, names, decisions and open questions; " +
        "drop greetings and small talk. Start from the previous summary, when there is one, and keep what still holds. " +
        "Write at most {0} words, in the language of the conversation, as plain sentences.";

    private const int MaxBackoffPrunes = 32;

    private readonly int _maxTokens = sessions.Value.MaxSummaryTokens;
    // The turns awaiting a summary are kept within the pressure window under pressure: a larger batch would never fill.
    private readonly int _batchMessages = Math.Min(sessions.Value.SummaryBatchMessages, sessions.Value.PressureContextMessages);
    private readonly int _batchTokens = sessions.Value.MaxContextTokens / 4;
    private readonly bool _enabled = sessions.Value.Summaries && model.Provider != AiProvider.Offline;

    /// <summary>
    /// Starts a summary once a batch of pruned turns waits (<c>Sessions:SummaryBatchMessages</c>, or a
    /// quarter of the token budget), unless one is under way or failures hold it back: after a failure
    /// the next prune tries again, then every 2, 4, ... up to 32 prunes while it keeps failing.
    /// </summary>
    /// <param name="payer">What the chat's user may do, in a private chat (their budget and models); null: <c>Budgets:User*</c>, any model.</param>
    public void Start(ChatActivation session, Access.UserAccess? payer)
    {
        var conversation = session.Conversation;
        var waiting = conversation.Unsummarized;
        if (!_enabled || waiting.Count == 0 || session.Summarizing is { IsCompleted: false }
            || session.Retired || session.Conflicted || session.SummaryStop.IsCancellationRequested
            || conversation.Statistics.ContextPrunes < session.SummaryBackoff.NotBeforePrune
            || (session.SummaryBackoff.Failures == 0 && waiting.Count < _batchMessages && ContextWindow.TotalTokens(waiting) < _batchTokens))
        {
            return;
        }

        var run = CancellationTokenSource.CreateLinkedTokenSource(session.SummaryStop.Token);
        session.SummaryRun = run;
        session.Summarizing = SummarizeAsync(session, session.Generation, run, payer);
    }

    /// <summary>Stops the summary under way (the activation is going): its turns stay, for the next activation's prune.</summary>
    public static async Task StopAsync(ChatActivation session, CancellationToken cancellationToken)
    {
        session.SummaryStop.Cancel();
        if (session.Summarizing is { } running)
        {
            try
            {
                await running.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Orleans waits no longer; the request was cancelled and writes nothing.
            }
        }
    }

    private async Task SummarizeAsync(ChatActivation session, int generation, CancellationTokenSource run, Access.UserAccess? payer)
    {
        try
        {
            await SummarizeOnceAsync(session, generation, run, payer);
        }
        finally
        {
            if (session.SummaryRun == run)
            {
                session.SummaryRun = null; // on the activation's thread, as StopSummary is: it never sees a disposed run
            }

            run.Dispose();
        }
    }

    private async Task SummarizeOnceAsync(ChatActivation session, int generation, CancellationTokenSource run, Access.UserAccess? payer)
    {
        await Task.Yield(); // the turn that pruned ends first; a reset or erasure meanwhile cancels this run
        var conversation = session.Conversation;
        var taken = conversation.Unsummarized.ToList();
        var previous = conversation.Summary;
        if (run.IsCancellationRequested || session.Generation != generation || taken.Count == 0)
        {
            return;
        }

        using var deadline = new CancellationTokenSource(model.ReplyTimeout, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, run.Token);
        try
        {
            // The operator's summary model, else the chat's model as its user may use it.
            var name = string.IsNullOrWhiteSpace(ai.Value.SummaryModel) ? catalog.Candidates(conversation.Settings, payer?.Models).First() : ai.Value.SummaryModel;
            var request = Request(previous, taken);
            var estimate = request.Sum(m => (long)TokenEstimator.Estimate(m.Text));
            var hold = await spending.AdmitAsync(Spending.Spender.OfSession(session.Id), name, estimate, payer?.Limits);
            if (hold.Refusal is not null)
            {
                metrics.Summary("over_budget"); // the turns wait for the next prune, when the budget may allow it
                return;
            }

            ChatResponse response;
            try
            {
                response = await model.AskAsync(request, name, _maxTokens, stop.Token);
            }
            catch
            {
                await spending.ReleaseAsync(hold);
                throw;
            }

            var (input, output) = response.Usage is { } usage
                ? (usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0)
                : await Spending.ModelTokens.CountAsync(request, response.Text); // off the activation's thread
            await spending.SettleAsync(hold, spending.Usage(name, input, output, estimated: response.Usage is null));
            var text = Bound(response.Text.Trim());
            if (text.Length == 0)
            {
                throw new InvalidDataException("The model's summary was empty.");
            }

            var kept = await session.Session.UpdateAsync(s =>
            {
                var end = s.Unsummarized.IndexOf(taken[^1]); // entries are shared by reference between copies of the state
                if (session.Generation != generation || run.IsCancellationRequested || end < 0)
                {
                    return false; // reset, erased or cleared meanwhile: the summary is of a conversation that is gone
                }

                s.Unsummarized.RemoveRange(0, end + 1);
                s.Summary = new ConversationSummary { Text = text, Tokens = TokenEstimator.Estimate(text), Covers = (previous?.Covers ?? 0) + taken.Count, UpdatedAt = time.GetUtcNow() };
                return true;
            });
            session.SummaryBackoff = (0, 0);
            metrics.Summary(kept ? "made" : "discarded");
            LogSummarised(logger, session.Id, taken.Count, kept);
        }
        catch (Exception) when (run.IsCancellationRequested)
        {
            // The activation is going, or what it summarised was reset or erased.
        }
        catch (Exception ex)
        {
            var failures = session.SummaryBackoff.Failures + 1;
            session.SummaryBackoff = (failures, session.Conversation.Statistics.ContextPrunes + Math.Min(MaxBackoffPrunes, 1L << Math.Min(failures - 1, 5)));
            metrics.Summary("failed");
            LogFailed(logger, session.Id, taken.Count, ModelFailure.Classify(ex));
        }
    }

    private List<ChatMessage> Request(ConversationSummary? previous, List<ChatEntry> turns)
    {
        var words = (int)(_maxTokens * 0.5); // well inside the bound, so the summary is seldom cut
        var text = new StringBuilder();
        if (previous is not null)
        {
            text.Append("Previous summary:\n").Append(previous.Text).Append("\n\n");
        }

        text.Append("Conversation to add:\n");
        foreach (var entry in turns)
        {
            text.Append(entry.Role == ChatEntry.User ? "User: " : "Assistant: ").Append(entry.Text).Append('\n');
        }

        return
        [
            new ChatMessage(ChatRole.System, string.Format(CultureInfo.InvariantCulture, Instruction, words)),
            new ChatMessage(ChatRole.User, text.ToString()),
        ];
    }

    /// <summary>Cuts a summary longer than <c>Sessions:MaxSummaryTokens</c> at a word, so the bound holds whatever the model wrote.</summary>
    private string Bound(string text)
    {
        var maxChars = Math.Max(0, ((_maxTokens - TokenEstimator.PerMessageOverhead) * 4) - 2); // room for the ellipsis
        if (text.Length <= maxChars)
        {
            return text;
        }

        var cut = text.LastIndexOf(' ', maxChars);
        return text[..(cut > 0 ? cut : maxChars)] + " …";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: summarised {Messages} pruned messages (kept: {Kept})")]
    private static partial void LogSummarised(ILogger logger, string sessionId, int messages, bool kept);

    // A warning: the reply went out; only the summary waits for the next prune.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: summarising {Messages} pruned messages failed ({Kind}); the old summary stays, tried again at the next prune")]
    private static partial void LogFailed(ILogger logger, string sessionId, int messages, string kind);
}
