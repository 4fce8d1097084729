namespace Assistant.Access;

/// <summary>
/// Who may do what (<c>Roles</c>). <c>Roles:Owners</c> are owners, <c>Telegram:AdminUsers</c> admins,
/// <c>Telegram:AllowedUsers</c> users (everyone, when that list is empty); anyone else is a guest
/// with <see cref="AllowGuests"/>, and refused without it. <c>/grant</c> overrides the configured role.
/// </summary>
public sealed class RolesOptions
{
    public const string Section = "Roles";

    /// <summary>Telegram user ids of the owners: they may do all an admin may, and make admins.</summary>
    public List<long> Owners { get; set; } = [];

    /// <summary>Whether users on no list may talk to the bot, as guests. Default false: they are refused.</summary>
    public bool AllowGuests { get; set; }

    public RoleLimits Owner { get; set; } = new();

    public RoleLimits Admin { get; set; } = new();

    public RoleLimits User { get; set; } = new();

    public RoleLimits Guest { get; set; } = new() { MessagesPerMinute = 10 };

    public RoleLimits For(Role role) => role switch
    {
        Role.Owner => Owner,
        Role.Admin => Admin,
        Role.User => User,
        _ => Guest,
    };

    /// <summary>Each role's settings with their keys, for validation that names them.</summary>
    public IEnumerable<(string Key, RoleLimits Limits)> Each() =>
        Enum.GetValues<Role>().Select(r => ($"{Section}:{r}", For(r)));
}

/// <summary>What one role may use (<c>Roles:ROLE</c>); checked by <see cref="RolesOptionsValidator"/>, which names each key.</summary>
public sealed class RoleLimits
{
    /// <summary>Messages to the model a user of this role may send per minute, across all chats; 0 for no limit. Defaults: 10 for guests, none for the rest.</summary>
    public int MessagesPerMinute { get; set; }

    /// <summary>This role's daily budget per user in USD, instead of <c>Budgets:UserDaily</c> (0: none); unset: that one.</summary>
    public decimal? UserDaily { get; set; }

    /// <summary>This role's monthly budget per user in USD, instead of <c>Budgets:UserMonthly</c> (0: none); unset: that one.</summary>
    public decimal? UserMonthly { get; set; }

    /// <summary>The models (of <c>AI:Model</c> and <c>AI:Models</c>) this role may use and choose with <c>/model</c>; empty: all of them.</summary>
    public List<string> Models { get; set; } = [];
}
