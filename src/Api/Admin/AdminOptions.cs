using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Assistant.Api.Admin;

/// <summary>Section <c>Admin</c>.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>
    /// The key operators send (<c>X-Api-Key</c>, Bearer token or Basic password) for admin endpoints
    /// (cleanup, restart, maintenance), which answer 401 until one is configured. Once set, every
    /// endpoint but the health probes and the Telegram webhook needs it.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Accepts the risk of serving callers beyond this machine with no <see cref="ApiKey"/>: without
    /// it, protected mode refuses to start on a non-loopback bind (exit code 2) and answers 401 to
    /// any caller that is not on this machine. Default false.
    /// </summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Who is served without a key, as the start-up line and the refusals say it.</summary>
    public AccessMode Mode =>
        !string.IsNullOrEmpty(ApiKey) ? AccessMode.KeyRequired
        : AllowAnonymous ? AccessMode.Anonymous
        : AccessMode.LocalOnly;

    /// <summary>Whether <paramref name="user"/> may do what needs the key whenever one is configured.</summary>
    public bool Admits(ClaimsPrincipal user, HttpContext context) => Mode switch
    {
        AccessMode.KeyRequired => user.Identity?.IsAuthenticated == true,
        AccessMode.Anonymous => true,
        _ => ClientOrigin.IsLocal(context),
    };
}

/// <summary>How callers without the admin key are served.</summary>
public enum AccessMode
{
    /// <summary><c>Admin:ApiKey</c> is set: every endpoint but the probes and the webhook needs it.</summary>
    KeyRequired,

    /// <summary>No key: protected mode, callers on this machine only (after trusted proxies' forwarded headers).</summary>
    LocalOnly,

    /// <summary>No key and <c>Admin:AllowAnonymous</c>: everyone, as the operator accepted.</summary>
    Anonymous,
}
