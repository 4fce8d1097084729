using Assistant.Storage;
using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// Reads a conversation where builds before the key spaces stored it (grain type
/// <c>chatsession</c>, states <c>session</c> and <c>inbox</c>, keyed by the bare session id) and
/// moves it into the session grain of its key space: <c>tg:&lt;chat id&gt;</c> when it holds any
/// trace of Telegram (answered or waiting updates, refused users) and its key is a chat id,
/// <c>api:&lt;id&gt;</c> otherwise. The new copy is written before the old one is cleared, and the
/// merge is keyed by the old key, so a migration cut short is finished by the next one.
/// </summary>
[GrainType("chatsession")]
internal sealed partial class LegacySessionGrain(
    [PersistentState("session")] IPersistentState<ChatSessionState> session,
    [PersistentState("inbox")] IPersistentState<TelegramInboxState> inbox,
    SessionDirectory directory,
    ILogger<LegacySessionGrain> logger) : Grain, ILegacySessionGrain
{
    public async Task<string?> MigrateAsync()
    {
        var key = this.GetPrimaryKeyString();
        string? target = null;
        if (session.RecordExists || inbox.RecordExists)
        {
            var waiting = inbox.State.Items.Concat(session.State.Inbox.Where(i => inbox.State.Find(i.Message.UpdateId) is null)).ToList();
            var messages = session.State.Messages.Count;
            target = KeyFor(key, session.State, waiting);
            await GrainFactory.GetGrain<ISessionAdoption>(target).AdoptAsync(new LegacyConversation(key, session.State, waiting));
            await inbox.ClearStateAsync();
            await session.ClearStateAsync();
            LogMigrated(logger, key, target, messages, waiting.Count);
        }

        await directory.DeleteLegacyAsync(key);
        DeactivateOnIdle();
        return target;
    }

    /// <summary>Where a conversation stored under <paramref name="key"/> belongs now.</summary>
    internal static string KeyFor(string key, ChatSessionState state, IReadOnlyCollection<TelegramInboxItem> waiting)
    {
        var telegram = waiting.Count > 0 || state.RecentUpdateIds.Count > 0 || state.RefusedUsers.Count > 0;
        return telegram && long.TryParse(key, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var chatId)
            ? SessionKey.Telegram(chatId)
            : SessionKey.Api(key);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {LegacyKey}: moved to {SessionKey} ({Messages} messages, {Waiting} Telegram messages waiting)")]
    private static partial void LogMigrated(ILogger logger, string legacyKey, string sessionKey, int messages, int waiting);
}
