using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// Taking over a conversation stored before the key spaces (<see cref="LegacySessionGrain"/>): at
/// activation, before this session accepts anything, so its history, the updates it answered and
/// the messages it left waiting all come first, and a redelivered update is known as answered.
/// </summary>
internal sealed partial class ChatSessionGrain
{
    public async Task AdoptLegacyAsync()
    {
        Touch();
        if (await TakeOverLegacyAsync())
        {
            ResumeInbox(firstWasInterrupted: false);
        }
    }

    /// <summary>
    /// The old conversation is merged (once: keyed by its old key), its waiting messages added
    /// (each unless stored or answered already), the index written, and only then the old copy
    /// released. Each step is safe to repeat, so a take-over cut short is finished by the next.
    /// </summary>
    /// <returns>Whether a conversation was taken over.</returns>
    private async Task<bool> TakeOverLegacyAsync()
    {
        var bare = SessionId[(SessionId.IndexOf(':', StringComparison.Ordinal) + 1)..];
        if (!_legacy.MayRemain || !await _directory.LegacyExistsAsync(bare))
        {
            return false;
        }

        var old = GrainFactory.GetGrain<ILegacySessionGrain>(bare);
        if (await old.ReadAsync() is not { } conversation || conversation.Target != SessionId)
        {
            return false; // nothing stored, or it belongs to the other key space
        }

        var window = new ContextWindow(_options.MaxContextMessages, _options.MaxContextTokens);
        await _session.UpdateAsync(s => s.Adopt(conversation.Key, conversation.Session, window));
        await _inbox.UpdateAsync(s =>
        {
            var waiting = conversation.Inbox.Where(i => s.Find(i.Message.UpdateId) is null && !Conversation.Answered(i.Message.UpdateId)).ToList();
            s.Items.InsertRange(0, waiting);
            return waiting.Count > 0;
        });
        await WriteDirectoryAsync(); // not best effort here: the old row goes next, and recovery and cleanup need one
        await old.ReleaseAsync();
        PublishSnapshot();
        LogTakenOver(_logger, conversation.Key, SessionId, conversation.Session.Messages.Count, conversation.Inbox.Count);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {LegacyKey}: moved to {SessionKey} ({Messages} messages, {Waiting} Telegram messages waiting)")]
    private static partial void LogTakenOver(ILogger logger, string legacyKey, string sessionKey, int messages, int waiting);
}
