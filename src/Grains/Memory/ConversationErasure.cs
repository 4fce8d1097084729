using Assistant.Metrics;
using Assistant.Sessions;
using Assistant.Storage;
using Assistant.Telegram;
using Microsoft.Extensions.Logging;

namespace Assistant.Memory;

/// <summary>
/// Erases, on the user's request, everything kept for a chat and the user: the conversation (context,
/// summary, turns awaiting one, kept replies, settings, statistics), the messages waiting in the
/// delivery record, the user's notes, the chat's dead letters and its index row. On SQLite the
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

    /// <summary>
    /// Erases <paramref name="session"/> and the notes of <paramref name="notesOwner"/>. The reply under
    /// way is cancelled, HTTP messages waiting are told, Telegram messages waiting are dropped; only
    /// <paramref name="asking"/> (the update id of the Telegram message that asked for this) stays, to be answered with the report.
    /// </summary>
    public async Task<ErasureReport> EraseAsync(ChatActivation session, string notesOwner, long? asking, string channel)
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

        var conversation = session.Conversation;
        var messages = conversation.Unsummarized.Count + conversation.Messages.Count;
        var summary = conversation.Summary is not null;
        var keep = asking;
        var dropped = session.Waiting.Count(i => i.Message.UpdateId != keep);
        await session.Session.UpdateWithAsync(
            s =>
            {
                s.Erase();
                return true;
            },
            session.Inbox,
            d => d.Items.RemoveAll(i => i.Message.UpdateId != keep) > 0); // the answered ids stay: they hold no words, and a redelivery must still be known

        var notes = await grains.GetGrain<INotesGrain>(notesOwner).ClearAsync();
        var letters = await deadLetters.DeleteAsync(session.Id);
        var row = await ledger.Directory.DeleteAsync(session.Id);
        var (busy, _, _) = await database.CheckpointAsync();
        ledger.Publish(session);
        metrics.Erased(channel);
        LogErased(logger, session.Id, messages, summary, notes, dropped, letters);
        return new ErasureReport(messages, summary, notes, dropped, letters, row, busy == 0);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: erased on request: {Messages} messages, summary {Summary}, {Notes} notes, {Waiting} waiting messages, {DeadLetters} dead letters")]
    private static partial void LogErased(ILogger logger, string sessionId, int messages, bool summary, int notes, int waiting, int deadLetters);
}
