using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Sessions;

/// <summary>
/// A conversation outside its exchanges: its settings (model and persona, <see cref="Models.ChatCatalog"/>),
/// and its context kept in bounds: cleared after
/// <c>Sessions:InactiveContextHours</c> of silence (now, when the session is active and its silo is
/// told; or at its next activation, when the cleanup marked it cleared in the directory while it
/// was dormant), and pruned hard when memory is short. Keeps no state of its own.
/// </summary>
internal sealed partial class ConversationUpkeep(
    SessionLedger ledger,
    ModelExchange exchange,
    IOptions<ChatSessionOptions> options,
    ILogger<ConversationUpkeep> logger)
{
    public Models.ChatCatalog Catalog => exchange.Catalog;

    public ChatSettingsView Settings(ChatActivation session) => Catalog.View(session.Conversation.Settings);

    /// <summary>Changes the chat's model or persona (null: unchanged), stored with the conversation; an unknown name is an <see cref="ArgumentException"/>.</summary>
    public async Task<ChatSettingsView> ChangeSettingsAsync(ChatActivation session, ChatSettingsChange change)
    {
        var bad = (change.Model is { } model ? Catalog.CheckModel(model) : null) ?? (change.Persona is { } persona ? Catalog.CheckPersona(persona) : null);
        if (bad is not null)
        {
            throw new ArgumentException(bad, nameof(change));
        }

        await SaveSettingsAsync(session, settings =>
        {
            settings.Model = change.Model ?? settings.Model;
            if (change.Persona is not null)
            {
                (settings.Persona, settings.CustomPrompt) = (change.Persona, null);
            }
        });
        return Settings(session);
    }

    /// <summary>Changes the chat's settings, stored with the conversation.</summary>
    public Task SaveSettingsAsync(ChatActivation session, Action<ChatSettings> change) =>
        session.Session.UpdateAsync(s => change(s.Settings ??= new ChatSettings()));

    public async Task<bool> ClearIfInactiveAsync(ChatActivation session, TimeSpan inactivity)
    {
        var now = ledger.Time.GetUtcNow();
        var conversation = session.Conversation;
        if (session.Queue.Busy || conversation.Messages.Count == 0 || now - conversation.Statistics.LastActiveAt < inactivity)
        {
            if (conversation.Messages.Count > 0)
            {
                await ledger.TouchDirectoryAsync(session); // the directory marked it cleared from a stale row: say what it holds
            }

            return false;
        }

        session.StopSummary();
        await session.Session.UpdateAsync(s => s.ClearContext(now));
        ledger.Publish(session);
        await ledger.Directory.MarkClearedAsync(session.Id, now);
        LogCleared(logger, session.Id, inactivity.TotalHours);
        return true;
    }

    /// <summary>
    /// The cleanup cycle decides from the directory and does not activate a dormant session to clear
    /// it: the session clears its own context here, at its next activation, if the directory marked
    /// it cleared and it was indeed silent for <c>Sessions:InactiveContextHours</c> before that (the
    /// directory can lag behind the state) with no Telegram message waiting from before. A mark it
    /// does not honour is undone, so the directory says again what the session holds.
    /// </summary>
    public async Task ApplyClearedContextAsync(ChatActivation session)
    {
        var inactivity = TimeSpan.FromHours(options.Value.InactiveContextHours);
        if (!session.Conversation.MayHaveBeenCleared(ledger.Time.GetUtcNow(), inactivity)
            || await ledger.Directory.ClearedAtAsync(session.Id) is not { } clearedAt)
        {
            return;
        }

        if (!session.Conversation.HonoursClear(clearedAt, inactivity, session.Waiting))
        {
            await ledger.TouchDirectoryAsync(session);
            return;
        }

        await session.Session.UpdateAsync(s => s.ClearContext(clearedAt));
        LogCleared(logger, session.Id, options.Value.InactiveContextHours);
    }

    /// <summary>Prunes the context to the pressure window (<c>Sessions:PressureContextMessages</c>, half the token budget).</summary>
    public async Task<PruneResult> PruneAsync(ChatActivation session)
    {
        var tight = new ContextWindow(options.Value.PressureContextMessages, options.Value.MaxContextTokens / 2);
        var removed = 0;
        await session.Session.UpdateAsync(s =>
        {
            removed = tight.Prune(s.Messages, exchange.PromptTokens(s)); // under pressure: dropped, not summarised
            removed += tight.Prune(s.Unsummarized); // nor kept waiting beyond the tight window
            if (removed > 0)
            {
                s.Statistics.ContextPrunes++;
            }

            return removed > 0;
        });
        var messages = session.Conversation.Messages;
        if (removed > 0)
        {
            ledger.Metrics.ContextPruned("forced");
            ledger.Publish(session);
            LogForcedPrune(logger, session.Id, removed, messages.Count);
        }

        return new PruneResult(removed, messages.Count, ContextWindow.TotalTokens(messages));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: context cleared after {Hours} h without messages")]
    private static partial void LogCleared(ILogger logger, string sessionId, double hours);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: forced prune removed {Removed} messages, {Remaining} left")]
    private static partial void LogForcedPrune(ILogger logger, string sessionId, int removed, int remaining);
}
