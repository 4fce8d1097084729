using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Sessions;

/// <summary>
/// Taking over what older builds stored, at activation, before the session accepts anything: a
/// conversation stored before the key spaces (<see cref="LegacySessionGrain"/>), so its history,
/// the updates it answered and the messages it left waiting all come first and a redelivered
/// update is known as answered; and answered update ids kept in the conversation before the
/// delivery record held them. Keeps no state of its own.
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
        await MoveAnsweredIdsAsync(session);
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
        await session.Session.UpdateWithAsync(
            s => s.Adopt(conversation.Key, conversation.Session, window),
            session.Inbox,
            d =>
            {
                var settled = d.SettleEarlier(conversation.Session.RecentUpdateIds);
                var waiting = conversation.Inbox.Where(i => !d.Knows(i.Message.UpdateId)).ToList();
                d.Items.InsertRange(0, waiting);
                return settled || waiting.Count > 0;
            });
        await ledger.WriteDirectoryAsync(session); // not best effort here: the old row goes next, and recovery and cleanup need one
        await old.ReleaseAsync();
        ledger.Publish(session);
        LogTakenOver(logger, conversation.Key, session.Id, conversation.Session.Messages.Count, conversation.Inbox.Count);
        return true;
    }

    /// <summary>
    /// Builds before the delivery record kept the answered update ids in the conversation: they
    /// move to the record and leave the conversation in one transaction, and a message waiting in
    /// the record that one of them says was answered is settled with them.
    /// </summary>
    private static async Task MoveAnsweredIdsAsync(ChatActivation session)
    {
        if (session.Conversation.RecentUpdateIds is not { Count: > 0 } ids)
        {
            return;
        }

        await session.Session.UpdateWithAsync(
            s =>
            {
                s.RecentUpdateIds.Clear();
                return true;
            },
            session.Inbox,
            d =>
            {
                d.SettleEarlier(ids);
                return true;
            });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {LegacyKey}: moved to {SessionKey} ({Messages} messages, {Waiting} Telegram messages waiting)")]
    private static partial void LogTakenOver(ILogger logger, string legacyKey, string sessionKey, int messages, int waiting);
}
