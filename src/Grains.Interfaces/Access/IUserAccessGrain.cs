using Assistant.Spending;

namespace Assistant.Access;

/// <summary>
/// One Telegram user's access (key: their user id): the role, quota and ban that owners and admins
/// set (stored; the configured role applies where none was set), and the pace of their messages.
/// Every silo asks this one grain, so a change takes effect everywhere at once.
/// </summary>
[Alias("Assistant.Access.IUserAccessGrain")]
public interface IUserAccessGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// What the user may do for message <paramref name="updateId"/>, sent at <paramref name="sentAt"/>;
    /// <paramref name="counts"/>: it asks the model, so it counts against their message rate (once,
    /// however often it is asked about).
    /// </summary>
    [Alias("Admit")]
    Task<UserAccess> AdmitAsync(long updateId, DateTimeOffset sentAt, bool counts);

    /// <summary>What owners and admins set for this user, and their role now.</summary>
    [Alias("Read")]
    Task<AccessRecord> ReadAsync();

    /// <summary>
    /// Stores a change made by an owner or admin, if the rules let them make it to this user as they
    /// are now (checked here, so no change lands on a user whose role changed meanwhile). Durable when it returns.
    /// </summary>
    [Alias("Change")]
    Task<AccessChanged> ChangeAsync(AccessChange change);
}

/// <summary>
/// What a user may do: <see cref="Role"/> null means they may not use the bot (not allowed, or
/// <see cref="Banned"/>); their budget, the models they may choose (empty: all), their pace.
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Access.UserAccess")]
public sealed record class UserAccess(
    [property: Id(0)] Role? Role,
    [property: Id(1)] bool Banned,
    [property: Id(2)] Pace Pace,
    [property: Id(3)] SpendLimits Limits,
    [property: Id(4)] IReadOnlyList<string> Models)
{
    public bool Allowed => Role is not null && !Banned;

    public bool IsAdmin => Allowed && Role >= Access.Role.Admin;
}

/// <summary>
/// What owners and admins set for a user, and who last changed it. <see cref="Granted"/>: the role
/// given with <c>/grant</c> (null: the configured one); <see cref="DailyQuota"/>: the daily budget
/// given with <c>/quota</c> (null: the role's).
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Access.AccessRecord")]
public sealed record class AccessRecord(
    [property: Id(0)] long UserId,
    [property: Id(1)] Role? Role,
    [property: Id(2)] Role? Granted,
    [property: Id(3)] decimal? DailyQuota,
    [property: Id(4)] bool Banned,
    [property: Id(5)] long ChangedBy,
    [property: Id(6)] DateTimeOffset? ChangedAt,
    [property: Id(7)] string? LastChange);

/// <summary>
/// One change by <see cref="By"/> (whose role is <see cref="ByRole"/>): a role (<see cref="ClearGrant"/>
/// returns to the configured one), a daily quota (<see cref="ClearQuota"/> returns to the role's), a ban; null fields stay.
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Access.AccessChange")]
public sealed record class AccessChange(
    [property: Id(0)] long By,
    [property: Id(1)] string Description,
    [property: Id(2)] Role? Grant = null,
    [property: Id(3)] decimal? Quota = null,
    [property: Id(4)] bool ClearQuota = false,
    [property: Id(5)] bool? Ban = null,
    [property: Id(6)] Role ByRole = Role.Guest,
    [property: Id(7)] bool ClearGrant = false);

/// <summary>The user's record after a change; <see cref="Refusal"/> set: the change was not made, and why.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Access.AccessChanged")]
public sealed record class AccessChanged([property: Id(0)] AccessRecord Record, [property: Id(1)] string? Refusal = null);

/// <summary>
/// The users owners and admins have changed (<see cref="IUserAccessGrain.ChangeAsync"/>), one per
/// cluster (key 0), for <c>/users</c>: a user is added before their change is stored, so none is left out.
/// </summary>
[Alias("Assistant.Access.IAccessListGrain")]
public interface IAccessListGrain : IGrainWithIntegerKey
{
    [Alias("Add")]
    Task AddAsync(long userId);

    [Alias("Read")]
    Task<IReadOnlyList<long>> ReadAsync();
}
