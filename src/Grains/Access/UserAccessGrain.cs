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

    public Task<UserAccess> AdmitAsync(long updateId, bool counts)
    {
        var s = _state.Value;
        var role = policy.RoleOf(UserId, s.Granted);
        var pace = counts && role is { } r && !s.Banned ? _pace.Admit(updateId, policy.MessagesPerMinute(r), time.GetUtcNow()) : Pace.Within;
        return Task.FromResult(new UserAccess(role, s.Banned, pace, policy.LimitsOf(role, s.DailyQuota), policy.ModelsOf(role)));
    }

    public Task<AccessRecord> ReadAsync() => Task.FromResult(Record());

    public async Task<AccessRecord> ChangeAsync(AccessChange change)
    {
        await GrainFactory.GetGrain<IAccessListGrain>(0).AddAsync(UserId); // listed first: /users never misses a changed user
        await _state.UpdateAsync(s =>
        {
            s.Granted = change.Grant ?? s.Granted;
            s.DailyQuota = change.ClearQuota ? null : change.Quota ?? s.DailyQuota;
            s.Banned = change.Ban ?? s.Banned;
            s.ChangedBy = change.By;
            s.ChangedAt = time.GetUtcNow();
            s.LastChange = change.Description;
            return true;
        });
        LogChanged(logger, UserId, change.By, change.Description);
        return Record();
    }

    private AccessRecord Record()
    {
        var s = _state.Value;
        return new AccessRecord(UserId, policy.RoleOf(UserId, s.Granted), s.Granted, s.DailyQuota, s.Banned, s.ChangedBy, s.ChangedAt, s.LastChange);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Access of Telegram user {UserId} changed by {ChangedBy}: {Change}")]
    private static partial void LogChanged(ILogger logger, long userId, long changedBy, string change);
}
