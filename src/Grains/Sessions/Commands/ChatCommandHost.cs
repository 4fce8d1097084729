using Assistant.Health;
using Assistant.Models;

namespace Assistant.Sessions.Commands;

/// <summary>A chat's session as its commands see it: settings, reset and the service's health.</summary>
internal sealed class ChatCommandHost(ChatActivation session, ConversationUpkeep upkeep, SessionLedger ledger, IServiceHealthSummary health) : ICommandHost
{
    public ChatCatalog Catalog => upkeep.Catalog;

    public ChatSettings? Settings => session.Conversation.Settings;

    public Task SaveSettingsAsync(Action<ChatSettings> change) => upkeep.SaveSettingsAsync(session, change);

    public Task ResetAsync() => ledger.ResetAsync(session, cancelQueued: false);

    public Task<string> DescribeHealthAsync() => health.DescribeAsync();
}
