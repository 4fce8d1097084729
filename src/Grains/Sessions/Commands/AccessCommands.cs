using System.Globalization;
using Assistant.Access;

namespace Assistant.Sessions.Commands;

/// <summary>
/// A command owners and admins use to change one user's access: <c>/COMMAND USER ...</c>, where USER
/// is a Telegram user id. The change is stored in that user's grain, so every silo applies it at once.
/// Only in a private chat: who is an admin, banned or limited is not the group's to see.
/// </summary>
internal abstract class AccessCommand : ChatCommand
{
    public override bool AdminOnly => true;

    /// <summary>What follows the user id, and the usage line when it does not parse.</summary>
    protected abstract string Usage { get; }

    public override Task<string> RunAsync(CommandCall call)
    {
        if (call.Message.Group)
        {
            return Task.FromResult($"I change users' access only in a private chat with me. Send {Name} there.");
        }

        var words = call.Argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || !UserAccounts.TryUser(words[0], out var target))
        {
            return Task.FromResult($"Send {Name} {Usage}, where USER is a Telegram user id (a number).");
        }

        var by = call.Access.Role!.Value;
        return Change(target, words[1..], call.Message.UserId, by) is { } change
            ? call.Host.Accounts.ChangeAsync(target, change with { ByRole = by })
            : Task.FromResult($"Send {Name} {Usage}.");
    }

    /// <summary>The change the words after the user id ask for, by a user of role <paramref name="role"/>, or null when they do not parse.</summary>
    protected abstract AccessChange? Change(long target, string[] words, long by, Role role);
}

internal sealed class GrantCommand : AccessCommand
{
    public override string Name => "/grant";

    public override string Help => "give a user a role: /grant USER admin|user|guest, or /grant USER default (administrators)";

    protected override string Usage => "USER admin|user|guest, or USER default for their configured role";

    protected override AccessChange? Change(long target, string[] words, long by, Role role) =>
        words.Length != 1 ? null
        : words[0].Equals("default", StringComparison.OrdinalIgnoreCase) ? new AccessChange(by, $"{target} has their configured role again", ClearGrant: true)
        : UserAccounts.TryRole(words[0], out var granted) ? new AccessChange(by, $"{target} is now {granted.ToString().ToLowerInvariant()}", Grant: granted)
        : null;
}

internal sealed class QuotaCommand : AccessCommand
{
    public override string Name => "/quota";

    public override string Help => "set a user's daily budget: /quota USER USD, or /quota USER default (administrators)";

    protected override string Usage => "USER USD (more than 0; /ban stops a user), USER default for their role's, or USER unlimited (owners)";

    protected override AccessChange? Change(long target, string[] words, long by, Role role)
    {
        if (words.Length != 1)
        {
            return null;
        }

        if (words[0].Equals("default", StringComparison.OrdinalIgnoreCase))
        {
            return new AccessChange(by, $"{target}'s daily budget is their role's again", ClearQuota: true);
        }

        if (words[0].Equals("unlimited", StringComparison.OrdinalIgnoreCase))
        {
            return role == Role.Owner ? new AccessChange(by, $"{target} has no daily budget limit", Quota: 0) : null; // lifting a limit is an owner's call
        }

        return decimal.TryParse(words[0].TrimStart('$'), NumberStyles.Number, CultureInfo.InvariantCulture, out var usd) && usd is > 0 and <= 1_000_000_000
            ? new AccessChange(by, $"{target}'s daily budget is US${usd:0.00##}", Quota: usd)
            : null;
    }
}

internal sealed class BanCommand : AccessCommand
{
    public override string Name => "/ban";

    public override string Help => "stop a user from using the bot: /ban USER (administrators)";

    protected override string Usage => "USER";

    protected override AccessChange? Change(long target, string[] words, long by, Role role) =>
        words.Length == 0 ? new AccessChange(by, $"{target} is banned", Ban: true) : null;
}

internal sealed class UnbanCommand : AccessCommand
{
    public override string Name => "/unban";

    public override string Help => "lift a ban: /unban USER (administrators)";

    protected override string Usage => "USER";

    protected override AccessChange? Change(long target, string[] words, long by, Role role) =>
        words.Length == 0 ? new AccessChange(by, $"{target} is no longer banned", Ban: false) : null;
}

/// <summary><c>/users</c>: who has a role, configured or changed, and who changed it; in a private chat only.</summary>
internal sealed class UsersCommand : ChatCommand
{
    public override string Name => "/users";

    public override string Help => "the users with a role, and who changed them (administrators)";

    public override bool AdminOnly => true;

    public override Task<string> RunAsync(CommandCall call) =>
        call.Message.Group
            ? Task.FromResult("I list users only in a private chat with me. Send /users there.")
            : call.Host.Accounts.ListAsync();
}
