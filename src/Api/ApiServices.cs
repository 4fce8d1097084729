using Assistant.Api.Admin;
using Microsoft.Extensions.DependencyInjection;

namespace Assistant.Api;

public static class ApiServices
{
    /// <summary>Options the HTTP surface itself needs.</summary>
    public static IServiceCollection AddAssistantApi(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section);
        return services;
    }
}
