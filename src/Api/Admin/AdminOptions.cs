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
}
