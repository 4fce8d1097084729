using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Access;

public static class AccessServices
{
    /// <summary>Roles (<c>Roles</c>, validated at start, naming the key) and users' access.</summary>
    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddOptions<RolesOptions>().BindConfiguration(RolesOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RolesOptions>, RolesOptionsValidator>();
        services.AddSingleton<AccessPolicy>();
        services.AddSingleton<UserAccounts>();
        return services;
    }
}
