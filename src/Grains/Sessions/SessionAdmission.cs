using Assistant.Maintenance;
using Assistant.Monitoring;
using Microsoft.Extensions.Options;

namespace Assistant.Sessions;

/// <summary>
/// Whether a session may start a conversation turn: maintenance mode turns away sessions that have
/// never exchanged a message; the session cap (<c>Sessions:MaxActive</c>, or what an admin set with
/// <c>POST /sessions/limit</c>) turns away a session that is not active yet once the cluster holds
/// that many. The cluster's count is this silo's sessions now plus the others' at the last health
/// cycle, so on one silo the cap is exact and across silos it may be passed by what the others
/// started since.
/// </summary>
public sealed class SessionAdmission(ServiceMode mode, LocalSessionRegistry sessions, PressureState pressure, IOptions<ChatSessionOptions> options, Metrics.AssistantMetrics metrics)
{
    public const string Busy = "I'm talking with as many people as I can right now. Please try again in a few minutes.";

    /// <summary>The cap in force (0: none).</summary>
    public int Limit => mode.State.SessionLimit ?? options.Value.MaxActive;

    /// <summary>Active sessions as the cap counts them.</summary>
    public int Active => sessions.Count + pressure.OtherSilosSessions;

    /// <summary>Why the session may not take the message (the reply its user gets), or null when it may.</summary>
    /// <param name="neverUsed">The session has never exchanged a message.</param>
    /// <param name="starting">The session has taken no message in this activation: the message would start it.</param>
    public Refusal? Check(bool neverUsed, bool starting, string channel)
    {
        if (mode.Maintenance && neverUsed)
        {
            return new Refusal(RefusalKind.Maintenance, mode.Message);
        }

        // The session is registered while it is active: the others are the count less one.
        if (starting && Limit > 0 && Active - 1 >= Limit)
        {
            metrics.SessionRefused(channel);
            return new Refusal(RefusalKind.Full, Busy);
        }

        return null;
    }
}

public enum RefusalKind
{
    Maintenance,
    Full,
}

public sealed record Refusal(RefusalKind Kind, string Message);
