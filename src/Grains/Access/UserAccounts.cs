using System.Globalization;
using Assistant.Telegram;
using Microsoft.Extensions.Options;

namespace Assistant.Access;

/// <summary>
/// Telegram users' access as sessions and admin commands use it: what a sender may do for one
/// message (<see cref="IUserAccessGrain"/>), the changes owners and admins make, checked by
/// <see cref="AccessPolicy.Forbids"/>, and the list <c>/users</c> shows.
/// </summary>
public sealed class UserAccounts(IGrainFactory grains, AccessPolicy policy, IOptions<RolesOptions> roles, IOptions<TelegramOptions> telegram)
{
    public AccessPolicy Policy => policy;

    /// <summary>What the sender of <paramref name="message"/> may do; <paramref name="counts"/>: it asks the model (their pace).</summary>
    public Task<UserAccess> AdmitAsync(TelegramIncoming message, bool counts) => User(message.UserId).AdmitAsync(message.UpdateId, message.SentAt, counts);

    /// <summary>Makes <paramref name="change"/> to <paramref name="target"/>, if the rules allow it (checked by their grain); the reply to the admin, in words.</summary>
    public async Task<string> ChangeAsync(long target, AccessChange change)
    {
        var changed = await User(target).ChangeAsync(change);
        return changed.Refusal ?? $"Done: {change.Description}.\nNow {Describe(changed.Record).TrimStart('•', ' ')}";
    }

    /// <summary>The users with a role configured or changed, one line each, owners first.</summary>
    public async Task<string> ListAsync()
    {
        var (r, t) = (roles.Value, telegram.Value);
        var ids = r.Owners.Concat(t.AdminUsers).Concat(t.AllowedUsers).Concat(await grains.GetGrain<IAccessListGrain>(0).ReadAsync()).Distinct().ToList();
        if (ids.Count == 0)
        {
            return "No user has a role set: " + (t.AllowedUsers.Count == 0 ? "everyone may talk to me as a user." : "only the configured users may talk to me.");
        }

        var records = await Task.WhenAll(ids.Select(id => User(id).ReadAsync()));
        var lines = records.OrderByDescending(a => a.Role ?? (Role)(-1)).ThenBy(a => a.UserId).Select(Describe).ToList();
        return $"Users ({lines.Count}):\n" + string.Join("\n", lines.Take(100)) + (lines.Count > 100 ? $"\n… and {lines.Count - 100} more" : "") +
            (t.AllowedUsers.Count == 0 ? "\nAnyone else may talk to me as a user." : r.AllowGuests ? "\nAnyone else may talk to me as a guest." : "");
    }

    /// <summary>"/grant USER ROLE" and the like: the user id a command names, or why it names none.</summary>
    public static bool TryUser(string word, out long userId) =>
        long.TryParse(word, NumberStyles.Integer, CultureInfo.InvariantCulture, out userId) && userId > 0;

    public static bool TryRole(string word, out Role role) =>
        Enum.TryParse(word, ignoreCase: true, out role) && Enum.IsDefined(role) && !long.TryParse(word, out _);

    private static string Describe(AccessRecord a)
    {
        var role = a.Banned ? "banned" : a.Role?.ToString().ToLowerInvariant() ?? "not allowed";
        var quota = a.DailyQuota is { } q ? $", daily quota US${q:0.00##}" : "";
        var changed = a.ChangedAt is { } at ? $" (last change by {a.ChangedBy} at {at:yyyy-MM-dd HH:mm} UTC: {a.LastChange})" : "";
        return $"• {a.UserId}: {role}{quota}{changed}";
    }

    private IUserAccessGrain User(long userId) => grains.GetGrain<IUserAccessGrain>(userId);
}
