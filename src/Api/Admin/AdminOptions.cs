namespace Assistant.Api.Admin;

/// <summary>Section <c>Admin</c>.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>
    /// The key operators send (<c>X-Api-Key</c>, Bearer token or Basic password) for admin endpoints
    /// (cleanup, restart, maintenance), which answer 401 until one is configured. Once set, the
    /// dashboard, <c>/metrics</c> and the sessions endpoints need it too; the health endpoints never do.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Accepts the risk of an HTTP front end bound beyond loopback with no <see cref="ApiKey"/>
    /// (protected mode refuses to start otherwise, exit code 2). Default false.
    /// </summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Whether <paramref name="user"/> may do what needs the key whenever one is configured.</summary>
    public bool Admits(System.Security.Claims.ClaimsPrincipal user) =>
        string.IsNullOrEmpty(ApiKey) || user.Identity?.IsAuthenticated == true;
}
