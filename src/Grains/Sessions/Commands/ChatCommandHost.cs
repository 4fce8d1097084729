using Assistant.Health;
using Assistant.Memory;
using Assistant.Models;

namespace Assistant.Sessions.Commands;

/// <summary>A chat's session as its commands see it: settings, reset, notes and the service's health.</summary>
internal sealed class ChatCommandHost(ChatActivation session, CommandHosts services) : ICommandHost
{
    public ChatCatalog Catalog => services.Upkeep.Catalog;

    public ChatSettings? Settings => session.Conversation.Settings;

    public Task SaveSettingsAsync(Action<ChatSettings> change) => services.Upkeep.SaveSettingsAsync(session, change);

    public Task ResetAsync() => services.Ledger.ResetAsync(session, cancelQueued: false);

    public Task<string> DescribeHealthAsync() => services.Health.DescribeAsync();

    public Task<IReadOnlyList<string>> NotesAsync(long userId) => services.Notes.ListAsync(NoteOwner.TelegramUser(userId), fresh: true);

    public Task<int> ClearNotesAsync(long userId) => services.Notes.ClearAsync(NoteOwner.TelegramUser(userId));

    public Task<string> ExportAsync(Telegram.TelegramIncoming message) => services.Memory.Exports.SendAsync(session, message);

    public Task<string> UsageAsync(Telegram.TelegramIncoming message, Spending.SpendLimits limits) => services.Spending.DescribeAsync(Spending.Spender.Of(message), limits);

    public Task<string> UsageOfAllAsync() => services.Spending.DescribeAllAsync();

    public Access.UserAccounts Accounts => services.Accounts;

    public async Task<string> EraseAsync(Telegram.TelegramIncoming message) =>
        (await services.Memory.Erasure.EraseAsync(session, NoteOwner.Sender(message), message.UpdateId, "telegram")).Describe();
}

/// <summary>What commands reach through their host; builds the host of one session.</summary>
internal sealed class CommandHosts(ConversationUpkeep upkeep, SessionLedger ledger, IServiceHealthSummary health, NotesCache notes, ConversationMemory memory, Spending.SpendReports spending, Access.UserAccounts accounts)
{
    public Access.UserAccounts Accounts => accounts;

    public Spending.SpendReports Spending => spending;

    public NotesCache Notes => notes;

    public ConversationMemory Memory => memory;

    public ConversationUpkeep Upkeep => upkeep;

    public SessionLedger Ledger => ledger;

    public IServiceHealthSummary Health => health;

    public ICommandHost For(ChatActivation session) => new ChatCommandHost(session, this);
}
