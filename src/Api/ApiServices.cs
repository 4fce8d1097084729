using Assistant.Api.Admin;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Assistant.Api;

public static class ApiServices
{
    /// <summary>What the HTTP surface itself needs: the admin key scheme and the two policies that use it.</summary>
    public static IServiceCollection AddAssistantApi(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section);
        services.AddOptions<Limits.ApiOptions>().BindConfiguration(Limits.ApiOptions.Section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<Limits.ApiOptions>, Limits.ApiOptionsValidator>();
        services.AddSingleton<FailedAuthLimiter>();
        services.AddSingleton<Health.CachedHealthReport>();
        services.AddAuthentication(AdminKey.Scheme)
            .AddScheme<AuthenticationSchemeOptions, AdminKeyHandler>(AdminKey.Scheme, _ => { });
        services.AddSingleton<IAuthorizationHandler, AdminKeyWhenConfigured>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminKey.Always, p => p.AddAuthenticationSchemes(AdminKey.Scheme).RequireAuthenticatedUser())
            .AddPolicy(AdminKey.WhenConfigured, p => p.AddAuthenticationSchemes(AdminKey.Scheme).AddRequirements(new AdminKeyWhenConfigured.Requirement()));
        return services;
    }
}
