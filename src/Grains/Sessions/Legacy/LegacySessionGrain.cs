using Microsoft.Extensions.Options;

namespace Assistant.Sessions;

/// <summary>
/// A conversation where builds before the key spaces stored it (grain type <c>chatsession</c>,
/// states <c>session</c> and <c>inbox</c>, the bare session id as key). It belongs under
/// <c>tg:&lt;chat id&gt;</c> when it holds any trace of Telegram (answered or waiting updates,
/// refused users) and its key is a chat id, under <c>api:&lt;id&gt;</c> otherwise. The session of
/// that key takes it over (<see cref="ChatSessionGrain.AdoptLegacyAsync"/>): it reads it here, stores
/// it as its own, and only then has it released. This grain never calls the session, so a session
/// can take over while it activates. Its states are read, and released, through the Orleans ADO.NET
/// provider that stored them (<see cref="LegacyStorage"/>), with that provider's own mapping of
/// keys to rows: a bare key that reads as a number or a GUID was stored under that number.
/// </summary>
[GrainType("chatsession")]
internal sealed class LegacySessionGrain(
    [PersistentState("session", LegacyStorage.Name)] IPersistentState<ChatSessionState> session,
    [PersistentState("inbox", LegacyStorage.Name)] IPersistentState<TelegramInboxState> inbox,
    SessionDirectory directory,
    IOptions<ChatSessionOptions> options,
    [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Clock.Key)] TimeProvider time) : Grain, ILegacySessionGrain
{
    private string Key => this.GetPrimaryKeyString();

    public async Task<LegacyConversation?> ReadAsync()
    {
        if (!session.RecordExists && !inbox.RecordExists)
        {
            await directory.DeleteLegacyAsync(Key);
            DeactivateOnIdle();
            return null;
        }

        var state = session.State;
        var waiting = inbox.State.Items.Concat(state.Inbox.Where(i => inbox.State.Find(i.Message.UpdateId) is null)).ToList();
        await ApplyClearedContextAsync(state, waiting);
        return new LegacyConversation(Key, KeyFor(Key, state, waiting), state, waiting);
    }

    /// <summary>
    /// The conversation first and the inbox last: while only the inbox is left, what it holds is
    /// a Telegram trace, so a release cut short still reads as belonging to the same key.
    /// </summary>
    public async Task ReleaseAsync()
    {
        await session.ClearStateAsync();
        await inbox.ClearStateAsync();
        await directory.DeleteLegacyAsync(Key);
        DeactivateOnIdle();
    }

    /// <summary>Where a conversation stored under <paramref name="key"/> belongs now.</summary>
    internal static string KeyFor(string key, ChatSessionState state, IReadOnlyCollection<TelegramInboxItem> waiting)
    {
        var telegram = waiting.Count > 0 || state.RecentUpdateIds.Count > 0 || state.RefusedUsers.Count > 0;
        return telegram && long.TryParse(key, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var chatId)
            ? SessionKey.Telegram(chatId)
            : SessionKey.Api(key);
    }

    /// <summary>A context the cleanup had marked cleared before the upgrade is not brought back (the same rule as a session's activation, <see cref="ChatSessionState.HonoursClear"/>).</summary>
    private async Task ApplyClearedContextAsync(ChatSessionState state, List<TelegramInboxItem> waiting)
    {
        var inactivity = TimeSpan.FromHours(options.Value.InactiveContextHours);
        if (state.MayHaveBeenCleared(time.GetUtcNow(), inactivity)
            && await directory.ClearedAtAsync(SessionDirectory.LegacyKey(Key)) is { } clearedAt
            && state.HonoursClear(clearedAt, inactivity, waiting))
        {
            state.ClearContext(clearedAt);
        }
    }
}
