using Assistant.Models;
using Assistant.Telegram;

namespace Assistant.Sessions.Commands;

/// <summary>What a command acts on: the chat's session.</summary>
internal interface ICommandHost
{
    ChatCatalog Catalog { get; }

    ChatSettings? Settings { get; }

    /// <summary>Changes the chat's settings and stores them with the conversation.</summary>
    Task SaveSettingsAsync(Action<ChatSettings> change);

    Task ResetAsync();

    Task<string> DescribeHealthAsync();

    /// <summary>The notes kept for Telegram user <paramref name="userId"/>.</summary>
    Task<IReadOnlyList<string>> NotesAsync(long userId);

    /// <summary>Drops the notes kept for Telegram user <paramref name="userId"/>; how many went.</summary>
    Task<int> ClearNotesAsync(long userId);

    /// <summary>Sends the chat's conversation as a document in reply to <paramref name="message"/>; what to say with it.</summary>
    Task<string> ExportAsync(TelegramIncoming message);

    /// <summary>What the sender of <paramref name="message"/> spent on the model, in words, against their <paramref name="limits"/>.</summary>
    Task<string> UsageAsync(TelegramIncoming message, Spending.SpendLimits limits);

    /// <summary>The service's use of the model and its top spenders, in words.</summary>
    Task<string> UsageOfAllAsync();

    /// <summary>Erases everything kept for the chat and the sender of <paramref name="message"/>; the report in words.</summary>
    Task<string> EraseAsync(TelegramIncoming message);

    /// <summary>Users' access, for the admin commands.</summary>
    Access.UserAccounts Accounts { get; }
}

/// <summary>One run of a command: who sent it and what they may do, what follows the command word, and the session it acts on.</summary>
internal sealed record CommandCall(TelegramIncoming Message, string Argument, Access.UserAccess Access, ICommandHost Host)
{
    public bool IsAdmin => Access.IsAdmin;
}

/// <summary>
/// A Telegram command: its name, its line in <c>/help</c>, who may run it, and whether it acts as
/// soon as it is accepted (<c>/cancel</c>, <c>/reset</c> stop the reply under way) rather than in turn.
/// Registered in <see cref="ChatCommands"/>.
/// </summary>
internal abstract class ChatCommand
{
    public abstract string Name { get; }

    /// <summary>What <c>/help</c> says of it, after its name.</summary>
    public abstract string Help { get; }

    public virtual bool AdminOnly => false;

    public virtual bool ActsOnDelivery => false;

    /// <summary>The reply to send.</summary>
    public abstract Task<string> RunAsync(CommandCall call);
}
