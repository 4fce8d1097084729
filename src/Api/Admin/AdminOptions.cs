namespace Assistant.Api.Admin;

/// <summary>Section <c>Admin</c>.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>
    /// The key operators send in <c>X-Api-Key</c> for admin endpoints (cleanup, restart, maintenance).
    /// Unset: admin endpoints answer 401 until one is configured.
    /// </summary>
    public string? ApiKey { get; set; }
}
