using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;

namespace Assistant.Access;

/// <summary>One Telegram user's access (<see cref="IUserAccessGrain"/>): what was set for them, stored; their pace, in memory.</summary>
[GrainType("access")]
internal sealed partial class UserAccessGrain(
    [PersistentState("access")] IPersistentState<AccessState> stored,
    DeepCopier<AccessState> copier,
    AccessPolicy policy,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<UserAccessGrain> logger) : Grain, IUserAccessGrain
{
    private readonly DurableState<AccessState> _state = new(stored, copier);
    private readonly MessagePace _pace = new();

    private long UserId => this.GetPrimaryKeyLong();

    public Task<UserAccess> AdmitAsync(long updateId, DateTimeOffset sentAt, bool counts)
    {
        var (role, banned, quota) = InForce();
        var pace = counts && role is { } r && !banned ? _pace.Admit(updateId, policy.MessagesPerMinute(r), sentAt, time.GetUtcNow()) : Pace.Within;
        return Task.FromResult(new UserAccess(role, banned, pace, policy.LimitsOf(role, quota), policy.ModelsOf(role)));
    }

    public Task<AccessRecord> ReadAsync() => Task.FromResult(Record());

    public async Task<AccessChanged> ChangeAsync(AccessChange change)
    {
        // Back to the configured role is judged as granting it: an admin may not restore a demoted admin.
        var grant = change.ClearGrant ? policy.Configured(UserId) : change.Grant;
        if (AccessPolicy.Forbids(change.ByRole, change.By, UserId, InForce().Role, grant) is { } refusal)
        {
            return new AccessChanged(Record(), refusal);
        }

        await GrainFactory.GetGrain<IAccessListGrain>(0).AddAsync(UserId); // listed first: /users never misses a changed user
        await _state.UpdateAsync(s =>
        {
            s.Granted = change.ClearGrant ? null : change.Grant ?? s.Granted;
            s.DailyQuota = change.ClearQuota ? null : change.Quota ?? s.DailyQuota;
            s.Banned = change.Ban ?? s.Banned;
            s.ChangedBy = change.By;
            s.ChangedAt = time.GetUtcNow();
            s.LastChange = change.Description;
            return true;
        });
        LogChanged(logger, UserId, change.By, change.Description);
        return new AccessChanged(Record());
    }

    /// <summary>The role, ban and quota in force: a configured owner is never banned or held to a quota (no one may change an owner's).</summary>
    private (Role? Role, bool Banned, decimal? Quota) InForce()
    {
        var s = _state.Value;
        var role = policy.RoleOf(UserId, s.Granted);
        return role == Role.Owner ? (role, false, null) : (role, s.Banned, s.DailyQuota);
    }

    private AccessRecord Record()
    {
        var s = _state.Value;
        var (role, banned, quota) = InForce();
        return new AccessRecord(UserId, role, s.Granted, quota, banned, s.ChangedBy, s.ChangedAt, s.LastChange);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Access of Telegram user {UserId} changed by {ChangedBy}: {Change}")]
    private static partial void LogChanged(ILogger logger, long userId, long changedBy, string change);
}
