using Assistant.Models;
using Assistant.Spending;
using Assistant.Telegram;
using Microsoft.Extensions.Options;

namespace Assistant.Access;

/// <summary>
/// The rules of roles: a user's role from what was granted or configured (<see cref="RolesOptions"/>),
/// what each role may spend and use, and who may change whom: an owner anyone but an owner, an
/// admin users and guests; no one makes an owner (that is <c>Roles:Owners</c>) or changes themself.
/// </summary>
public sealed class AccessPolicy(IOptions<RolesOptions> roles, IOptions<TelegramOptions> telegram, IOptions<BudgetOptions> budgets, ChatCatalog catalog)
{
    /// <summary>The configured role of <paramref name="userId"/>, or null: not allowed.</summary>
    public Role? Configured(long userId)
    {
        var (r, t) = (roles.Value, telegram.Value);
        return r.Owners.Contains(userId) ? Role.Owner
            : t.AdminUsers.Contains(userId) ? Role.Admin
            : t.AllowedUsers.Count == 0 || t.AllowedUsers.Contains(userId) ? Role.User
            : r.AllowGuests ? Role.Guest
            : null;
    }

    /// <summary>The role in force: a configured owner stays one; otherwise what was granted, else what is configured.</summary>
    public Role? RoleOf(long userId, Role? granted)
    {
        var configured = Configured(userId);
        return configured == Role.Owner ? Role.Owner : granted ?? configured;
    }

    public int MessagesPerMinute(Role role) => roles.Value.For(role).MessagesPerMinute;

    /// <summary>The user's budget: their quota for the day if one was set, else their role's, else <c>Budgets:UserDaily</c> and <c>UserMonthly</c>.</summary>
    public SpendLimits LimitsOf(Role? role, decimal? dailyQuota)
    {
        var limits = role is { } r ? roles.Value.For(r) : null;
        var o = budgets.Value;
        return new SpendLimits(dailyQuota ?? limits?.UserDaily ?? o.UserDaily, limits?.UserMonthly ?? o.UserMonthly);
    }

    /// <summary>The models <paramref name="role"/> may use; empty: every model the service offers.</summary>
    public IReadOnlyList<string> ModelsOf(Role? role) => role is { } r ? roles.Value.For(r).Models : [];

    /// <summary>The models of <see cref="ChatCatalog.Models"/> a user with this access may choose.</summary>
    public IReadOnlyList<string> Choosable(UserAccess? access) =>
        access is null || access.Models.Count == 0 ? catalog.Models : [.. catalog.Models.Where(access.Models.Contains)];

    /// <summary>Why <paramref name="by"/> may not give <paramref name="target"/> (now <paramref name="current"/>) the role <paramref name="grant"/> (null: any other change), or null.</summary>
    public static string? Forbids(Role by, long byId, long targetId, Role? current, Role? grant)
    {
        if (byId == targetId)
        {
            return "You cannot change your own access.";
        }

        if (current == Role.Owner)
        {
            return "An owner's access is set in Roles:Owners, not here.";
        }

        if (grant == Role.Owner)
        {
            return "Owners are set in Roles:Owners, not with /grant.";
        }

        return by == Role.Owner ? null
            : current >= Role.Admin ? "Only an owner can change an admin's access."
            : grant >= Role.Admin ? "Only an owner can make an admin."
            : null;
    }
}
