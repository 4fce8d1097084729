using Assistant.Metrics;
using Assistant.Sessions;
using Assistant.Storage;
using Assistant.Telegram;
using Microsoft.Extensions.Logging;

namespace Assistant.Memory;

/// <summary>
/// Erases, on the user's request, everything kept for a chat and the user: the conversation (context,
/// summary, turns awaiting one, kept replies, settings, statistics), the messages that were waiting
/// before the request, the user's notes, the chat's dead letters and its index row. On SQLite the
/// connections overwrite what they delete (<c>secure_delete</c>) and the write-ahead log is emptied
/// into the file, so the words are not left in its bytes. Keeps no state of its own.
/// </summary>
internal sealed partial class ConversationErasure(
    SessionLedger ledger,
    DeadLetters deadLetters,
    NotesCache notesCache,
    Database database,
    MemoryMetrics metrics,
    ILogger<ConversationErasure> logger)
{
    public const string Erased = "The conversation was erased before this message was answered.";

    /// <summary>How long the erasure's checkpoint waits for readers and writers in the way (it holds new writers back meanwhile).</summary>
    private static readonly TimeSpan CheckpointWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Erases <paramref name="session"/> and the notes of <paramref name="notesOwner"/> (none for a sender many share). The reply under
    /// way and the summary are stopped, HTTP messages waiting are told; Telegram messages sent before
    /// <paramref name="asking"/> (the update id of the message that asked for this) are dropped, settled
    /// so that a redelivery is known; the asking one and any sent after it stay, to be answered.
    /// </summary>
    public async Task<ErasureReport> EraseAsync(ChatActivation session, string? notesOwner, long? asking, string channel)
    {
        session.Generation++;
        if (session.Queue.Current is { } current && (asking is null || current.Telegram?.UpdateId != asking))
        {
            current.Cancellation.Cancel();
        }

        foreach (var waiting in session.Queue.DequeueApiTurns())
        {
            waiting.Complete(new ChatReply(Erased, 0, ledger.Elapsed(waiting), Models.ModelFailure.Cancelled));
        }

        session.StopSummary(); // after the dequeue, whose ends may have started one: its turns are not to reach the model
        session.SummaryBackoff = default; // the prune count starts again with the statistics

        int messages = 0, dropped = 0;
        var summary = false;
        await session.Session.UpdateWithAsync(
            s =>
            {
                (messages, summary) = (s.Unsummarized.Count + s.Messages.Count, s.Summary is not null);
                s.Erase();
                return true;
            },
            session.Inbox,
            d =>
            {
                var before = d.Items.Where(i => asking is null || i.Message.UpdateId < asking).Select(i => i.Message.UpdateId).ToList();
                before.ForEach(id => d.Settle(id)); // their words go; their ids stay answered, so a redelivery is not taken for new
                dropped = before.Count;
                return dropped > 0;
            });

        var notes = notesOwner is null ? 0 : await notesCache.ClearAsync(notesOwner);

        // SQLite's calls complete synchronously: run on a pool thread, so the waits do not hold this activation's turn.
        var (letters, checkpointed) = await Task.Run(async () => (await deadLetters.DeleteAsync(session.Id), (await database.CheckpointAsync(busyTimeout: CheckpointWait)).Busy == 0));
        if (!checkpointed)
        {
            LogCheckpointBusy(logger, session.Id);
        }

        // The row goes, unless a message waits (the asking one, in Telegram; or one taken meanwhile):
        // then it carries the recovery mark and stays, its figures reset.
        var deleted = !session.Queue.Busy && session.Waiting.Count == 0 && session.Conversation.Messages.Count == 0
            && await Task.Run(() => ledger.Directory.DeleteAsync(session.Id));
        if (!deleted)
        {
            await ResetRowAsync(session.Id);
        }

        ledger.Publish(session);
        metrics.Erased(channel);
        LogErased(logger, session.Id, messages, summary, notes, dropped, letters);
        return new ErasureReport(messages, summary, notes, dropped, letters, deleted, checkpointed);
    }

    /// <summary>Best effort: the erasure itself is done; a row left with old figures holds no words.</summary>
    private async Task ResetRowAsync(string sessionId)
    {
        try
        {
            await Task.Run(() => ledger.Directory.ResetFiguresAsync(sessionId, ledger.Time.GetUtcNow()));
        }
        catch (Exception ex)
        {
            LogRowNotReset(logger, sessionId, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: erased on request: {Messages} messages, summary {Summary}, {Notes} notes, {Waiting} waiting messages, {DeadLetters} dead letters")]
    private static partial void LogErased(ILogger logger, string sessionId, int messages, bool summary, int notes, int waiting, int deadLetters);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the erasure could not empty the SQLite write-ahead log (busy); the next checkpoint does (POST /maintenance/checkpoint)")]
    private static partial void LogCheckpointBusy(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the erased session's index row kept its old figures ({Error})")]
    private static partial void LogRowNotReset(ILogger logger, string sessionId, string error);
}
