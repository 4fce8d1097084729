using Assistant.Maintenance;
using Assistant.Sessions;

namespace Assistant.Api.Sessions;

/// <summary>
/// The session cap: <c>max_active</c> in force (0: none), <c>setting</c> (<c>Sessions:MaxActive</c>),
/// <c>set_at_run_time</c> (an admin's <c>POST /sessions/limit</c> holds, across restarts), and the
/// <c>active</c> sessions it counts as this silo sees them.
/// </summary>
public sealed record SessionLimit(int MaxActive, int Setting, bool SetAtRunTime, int Active)
{
    public static SessionLimit Of(SessionAdmission admission, ServiceMode mode, ChatSessionOptions options) =>
        new(admission.Limit, options.MaxActive, mode.State.SessionLimit is not null, admission.Active);
}
