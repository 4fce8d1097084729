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
    IGrainFactory grains,
    Database database,
    MemoryMetrics metrics,
    ILogger<ConversationErasure> logger)
{
    public const string Erased = "The conversation was erased before this message was answered.";

    private const int CheckpointAttempts = 3;

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

        var notes = notesOwner is null ? 0 : await grains.GetGrain<INotesGrain>(notesOwner).ClearAsync();

        // SQLite's async calls complete synchronously: off the grain's thread, so a checkpoint waiting out a writer holds no scheduler thread.
        var (letters, checkpointed) = await Task.Run(async () => (await deadLetters.DeleteAsync(session.Id), await CheckpointAsync()));
        if (session.Waiting.Count > 0)
        {
            await ledger.WriteDirectoryAsync(session); // messages wait in it: the row (and with it the recovery mark) stays, with the erased figures
        }
        else
        {
            await Task.Run(() => ledger.Directory.DeleteAsync(session.Id));
        }

        ledger.Publish(session);
        metrics.Erased(channel);
        LogErased(logger, session.Id, messages, summary, notes, dropped, letters);
        return new ErasureReport(messages, summary, notes, dropped, letters, DirectoryRow: true, checkpointed);
    }

    /// <summary>Empties the WAL into the file; a reader or writer in the way is waited out up to a few times.</summary>
    private async Task<bool> CheckpointAsync()
    {
        for (var attempt = 1; attempt <= CheckpointAttempts; attempt++)
        {
            if ((await database.CheckpointAsync()).Busy == 0)
            {
                return true;
            }
        }

        LogCheckpointBusy(logger, CheckpointAttempts);
        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: erased on request: {Messages} messages, summary {Summary}, {Notes} notes, {Waiting} waiting messages, {DeadLetters} dead letters")]
    private static partial void LogErased(ILogger logger, string sessionId, int messages, bool summary, int notes, int waiting, int deadLetters);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An erasure could not empty the SQLite write-ahead log after {Attempts} checkpoints (busy); the next checkpoint does (POST /maintenance/checkpoint)")]
    private static partial void LogCheckpointBusy(ILogger logger, int attempts);
}
