using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Sessions;

/// <summary>
/// Taking over a conversation stored before the key spaces (<see cref="LegacySessionGrain"/>): at
/// activation, before the session accepts anything, so its history, the updates it answered and
/// the messages it left waiting all come first, and a redelivered update is known as answered.
/// Keeps no state of its own.
/// </summary>
internal sealed partial class LegacyTakeOver(
    LegacySessions legacy,
    SessionLedger ledger,
    IGrainFactory grains,
    IOptions<ChatSessionOptions> options,
    ILogger<LegacyTakeOver> logger)
{
    /// <summary>
    /// The old conversation is merged (once: keyed by its old key), its waiting messages added
    /// (each unless stored or answered already), the index written, and only then the old copy
    /// released. Each step is safe to repeat, so a take-over cut short is finished by the next.
    /// </summary>
    /// <returns>Whether a conversation was taken over.</returns>
    public async Task<bool> TakeOverAsync(ChatActivation session)
    {
        var bare = session.Id[(session.Id.IndexOf(':', StringComparison.Ordinal) + 1)..];
        if (!legacy.MayRemain || !await ledger.Directory.LegacyExistsAsync(bare))
        {
            return false;
        }

        var old = grains.GetGrain<ILegacySessionGrain>(bare);
        if (await old.ReadAsync() is not { } conversation || conversation.Target != session.Id)
        {
            return false; // nothing stored, or it belongs to the other key space
        }

        var window = new ContextWindow(options.Value.MaxContextMessages, options.Value.MaxContextTokens);
        await session.Session.UpdateAsync(s => s.Adopt(conversation.Key, conversation.Session, window));
        await session.Inbox.UpdateAsync(s =>
        {
            var waiting = conversation.Inbox.Where(i => s.Find(i.Message.UpdateId) is null && !session.Conversation.Answered(i.Message.UpdateId)).ToList();
            s.Items.InsertRange(0, waiting);
            return waiting.Count > 0;
        });
        await ledger.WriteDirectoryAsync(session); // not best effort here: the old row goes next, and recovery and cleanup need one
        await old.ReleaseAsync();
        ledger.Publish(session);
        LogTakenOver(logger, conversation.Key, session.Id, conversation.Session.Messages.Count, conversation.Inbox.Count);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {LegacyKey}: moved to {SessionKey} ({Messages} messages, {Waiting} Telegram messages waiting)")]
    private static partial void LogTakenOver(ILogger logger, string legacyKey, string sessionKey, int messages, int waiting);
}
