using Assistant.Api.Health;
using Microsoft.AspNetCore.Routing;

namespace Assistant.Api;

public static class ApiEndpoints
{
    /// <summary>Maps every HTTP endpoint of the service.</summary>
    public static IEndpointRouteBuilder MapAssistantApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthApi();
        return endpoints;
    }
}
