using System.Text;
using Assistant.Metrics;
using Assistant.Sessions;
using Assistant.Telegram;
using Microsoft.Extensions.DependencyInjection;

namespace Assistant.Memory;

/// <summary>Exports a session's conversation (<see cref="ConversationExport"/>): as text over HTTP, as a document in Telegram.</summary>
internal sealed class ConversationExports(NotesCache notesCache, TelegramOutbox outbox, MemoryMetrics metrics, [FromKeyedServices(Clock.Key)] TimeProvider time)
{
    /// <summary>The HTTP session's conversation with the session's own notes.</summary>
    public async Task<string> ForApiAsync(ChatActivation session)
    {
        var notes = await notesCache.ListAsync(NoteOwner.Session(session.Id), fresh: true);
        metrics.Exported("api");
        return ConversationExport.Markdown(session.Id, time.GetUtcNow(), session.Conversation, notes);
    }

    /// <summary>
    /// Sends the chat's conversation as a document in reply to <paramref name="message"/>, with the
    /// sender's notes in a private chat only (a group shares the conversation, not one member's notes).
    /// </summary>
    public async Task<string> SendAsync(ChatActivation session, TelegramIncoming message)
    {
        var notes = message.Group || NoteOwner.Sender(message) is not { } owner ? null : await notesCache.ListAsync(owner, fresh: true);
        var now = time.GetUtcNow();
        var markdown = ConversationExport.Markdown(session.Id, now, session.Conversation, notes);
        await outbox.SendDocumentAsync(TelegramTarget.For(message), ConversationExport.FileName(now), Encoding.UTF8.GetBytes(markdown), "Everything I keep from this chat.", session.Queue.Stopping);
        metrics.Exported("telegram");
        var count = session.Conversation.Unsummarized.Count + session.Conversation.Messages.Count;
        return $"That is this chat's conversation as I keep it: {(session.Conversation.Summary is null ? "" : "a summary of the earlier part, ")}{count} messages"
            + (notes is null ? ". Your own notes I show only in a private chat (/memory)." : $" and your {notes.Count} notes.");
    }
}
