using Microsoft.AspNetCore.DataProtection;
using Assistant.Api.Admin;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Assistant.Api;

public static class ApiServices
{
    /// <summary>What the HTTP surface itself needs: the admin key scheme, the two policies that use it, and the fallback.</summary>
    public static IServiceCollection AddAssistantApi(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section);
        services.AddOptions<Limits.ApiOptions>().BindConfiguration(Limits.ApiOptions.Section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<Limits.ApiOptions>, Limits.ApiOptionsValidator>();
        services.AddSingleton<FailedAuthLimiter>();
        services.AddHttpContextAccessor();
        services.AddSingleton<Health.CachedHealthReport>();
        services.AddAssistantOpenApi();

        // Nothing served here protects data that must outlive the process (no cookies, no
        // antiforgery tokens: the admin key is a header), so the keys live in memory. The default
        // key ring would write an unencrypted key file and warn of it at every start.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAuthentication(AdminKey.Scheme)
            .AddScheme<AuthenticationSchemeOptions, AdminKeyHandler>(AdminKey.Scheme, _ => { });
        services.AddSingleton<IAuthorizationHandler, AdminKeyWhenConfigured>();
        var whenConfigured = new AuthorizationPolicyBuilder(AdminKey.Scheme).AddRequirements(new AdminKeyWhenConfigured.Requirement()).Build();
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminKey.Always, p => p.AddAuthenticationSchemes(AdminKey.Scheme).RequireAuthenticatedUser())
            .AddPolicy(AdminKey.WhenConfigured, whenConfigured)

            // Everything not marked otherwise needs the key once one is configured, and with none is
            // served to callers on this machine only: only the health probes and the Telegram
            // webhook (which has its own secret) are marked AllowAnonymous.
            .SetFallbackPolicy(whenConfigured);
        return services;
    }
}
