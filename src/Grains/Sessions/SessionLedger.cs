using Assistant.Models;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// What is recorded about a session besides its stored states: its line in this silo's registry,
/// its row in the <c>chat_sessions</c> index (which the cleanup and the recovery sweep read), and
/// each answered message in the metrics and the log. Also the writes that end a turn or a
/// conversation. Keeps no state of its own.
/// </summary>
internal sealed partial class SessionLedger(
    LocalSessionRegistry registry,
    SessionDirectory directory,
    Metrics.AssistantMetrics metrics,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger<SessionLedger>();

    /// <summary>What an HTTP caller hears when the activation gave the conversation up (a version conflict).</summary>
    public const string ChangedElsewhere = "The conversation was changed elsewhere; send the message again in a moment.";

    public Metrics.AssistantMetrics Metrics => metrics;

    public TimeProvider Time => time;

    public SessionDirectory Directory => directory;

    /// <summary>Milliseconds since the session accepted the turn's message.</summary>
    public long Elapsed(Turn turn) => (long)time.GetElapsedTime(turn.AcceptedAt).TotalMilliseconds;

    /// <summary>The session's turn queue; <paramref name="ended"/> is told of each turn that leaves it.</summary>
    public TurnQueue CreateQueue(ChatActivation session, Func<Turn, Task> answer, Action<TimeSpan> keepAlive, Action<Turn> ended) =>
        new(session.Id, answer, keepAlive, ended, registry, loggers.CreateLogger<TurnQueue>());

    /// <summary>
    /// What this silo's registry shows of the session; nothing once the activation has left it:
    /// work that outlives the activation (a write Orleans stopped waiting for) must not put it back.
    /// </summary>
    public void Publish(ChatActivation session)
    {
        if (!session.Retired)
        {
            registry.Publish(SessionSnapshot.Of(session.Id, session.Conversation));
        }
    }

    public void Retire(ChatActivation session)
    {
        session.Retired = true;
        registry.Remove(session.Id);
    }

    /// <summary>
    /// One answered message: counted and timed in the metrics, and logged with its response time
    /// as the line's last field, so <c>grep "Response time:" logs/system.log | awk '{print $NF}'</c>
    /// prints one figure per reply, in milliseconds.
    /// </summary>
    public void Answered(ChatActivation session, string channel, string kind, long elapsedMs, string? error)
    {
        metrics.MessageAnswered(channel, kind, elapsedMs, error);
        LogAnswered(_logger, session.Id, channel, kind, error ?? "ok", elapsedMs);
    }

    /// <summary>
    /// Records a Telegram turn's answer (and <paramref name="change"/>) in the conversation and its
    /// settling in the delivery record, in one transaction: from then on the message is done, and
    /// neither is stored without the other. Counted by kind, with its time from acceptance and
    /// <paramref name="error"/>.
    /// </summary>
    public async Task FinishTelegramAsync(ChatActivation session, Turn turn, string? error, Action<ChatSessionState>? change)
    {
        var message = turn.Telegram!;
        var kind = MessageKind.Of(message.Content);
        await session.Session.UpdateWithAsync(
            s =>
            {
                change?.Invoke(s);
                s.Statistics.Count(s.Statistics.MessagesByKind, kind);
                return true;
            },
            session.Inbox,
            d => d.Settle(message.UpdateId),
            s => StateWrite.Row("chat_sessions", session.Id, IndexRow(session.Id, s)));

        Answered(session, MessageKind.Telegram, kind, Elapsed(turn), error);
        Publish(session);
    }

    /// <summary>Empties the conversation; the reply under way is cancelled and, with <paramref name="cancelQueued"/>, the HTTP messages waiting are told.</summary>
    public async Task ResetAsync(ChatActivation session, bool cancelQueued)
    {
        session.Generation++;
        session.Queue.Current?.Cancellation.Cancel();
        if (cancelQueued)
        {
            foreach (var waiting in session.Queue.DequeueApiTurns())
            {
                waiting.Complete(new ChatReply("The conversation was reset before this message was answered.", 0, Elapsed(waiting), ModelFailure.Cancelled));
            }
        }

        session.StopSummary(); // after the dequeue, whose ends may have started one: what it would summarise is gone
        session.SummaryBackoff = default;

        await session.Session.UpdateAsync(s => s.ForgetContext()); // kept replies too: a repeated key then asks again
        Publish(session);
        LogReset(_logger, session.Id);
    }

    /// <summary>Writes the session's index row; best effort, since the exchange itself is already saved.</summary>
    public async Task TouchDirectoryAsync(ChatActivation session)
    {
        if (session.Retired || session.Conflicted)
        {
            // Work that outlived its activation, or one that no longer owns the state: the next
            // activation's view of the row is the one that counts.
            return;
        }

        try
        {
            await WriteDirectoryAsync(session);
        }
        catch (Exception ex)
        {
            // The index drives the 24 h cleanup; the recovery mark is not this write's.
            LogDirectoryFailed(_logger, ex, session.Id);
        }
    }

    public Task WriteDirectoryAsync(ChatActivation session) => directory.TouchAsync(IndexRow(session.Id, session.Conversation));

    /// <summary>The session's <c>chat_sessions</c> row as <paramref name="conversation"/> makes it.</summary>
    private Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, Task> IndexRow(string sessionId, ChatSessionState conversation)
    {
        var s = conversation.Statistics;
        var now = time.GetUtcNow();
        return SessionDirectory.Touch(sessionId, s.CreatedAt == default ? now : s.CreatedAt, s.LastActiveAt == default ? now : s.LastActiveAt, conversation.Messages.Count);
    }

    /// <summary>Changes the stored inbox item of <paramref name="updateId"/>; best effort (<paramref name="failed"/> is told).</summary>
    public static async Task UpdateItemAsync(ChatActivation session, long updateId, Action<TelegramInboxItem> change, Action<Exception> failed)
    {
        try
        {
            await session.Inbox.UpdateAsync(s =>
            {
                if (s.Find(updateId) is not { } stored)
                {
                    return false;
                }

                change(stored);
                return true;
            });
        }
        catch (Exception ex)
        {
            failed(ex);
        }
    }

    /// <summary>
    /// A write of the session's state found it written by someone else (another activation, while a
    /// silo is being lost): this activation starts no more turns and deactivates, and the next one
    /// starts from what is stored, rather than carrying on from a state it no longer owns.
    /// </summary>
    public void Conflicted(ChatActivation session)
    {
        if (session.Conflicted)
        {
            return;
        }

        session.Conflicted = true;
        LogConflict(_logger, session.Id);
        session.Queue.Halt();

        // HTTP callers waiting their turn are told now: their waits are calls of this activation,
        // and Orleans deactivates it only once no call is running.
        foreach (var waiting in session.Queue.DequeueApiTurns())
        {
            waiting.Fail(new SessionBusyException(ChangedElsewhere));
        }

        session.DeactivateOnIdle();
    }

    public void DirectoryFailed(ChatActivation session, Exception exception) => LogDirectoryFailed(_logger, exception, session.Id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: could not update the chat_sessions index")]
    private static partial void LogDirectoryFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: its stored state was written by another activation (version conflict); this activation stops and the next one resumes from what is stored")]
    private static partial void LogConflict(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: conversation reset")]
    private static partial void LogReset(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: {Channel} {Kind} message answered ({Outcome}). Response time: {ResponseMs}")]
    private static partial void LogAnswered(ILogger logger, string sessionId, string channel, string kind, string outcome, long responseMs);
}
