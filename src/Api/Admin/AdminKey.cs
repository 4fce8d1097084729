using Microsoft.AspNetCore.Builder;

namespace Assistant.Api.Admin;

/// <summary>
/// Which endpoints need the admin key (<c>Admin:ApiKey</c>), as ASP.NET Core authorization
/// policies over the <see cref="AdminKeyHandler"/> scheme.
/// </summary>
public static class AdminKey
{
    public const string Scheme = "AdminKey";

    /// <summary>Admin operations (cleanup, restart, maintenance): 401 until a key is configured.</summary>
    public const string Always = "admin-key";

    /// <summary>Every endpoint but the health probes and the webhook (the fallback policy): open until a key is configured, then needs it.</summary>
    public const string WhenConfigured = "admin-key-when-configured";

    public const string Header = "X-Api-Key";

    public static TBuilder RequireAdminKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(Always);

    public static TBuilder RequireAdminKeyWhenConfigured<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(WhenConfigured);
}
