using Assistant.Api.Console;
using Assistant.Api.Health;
using Assistant.Api.Maintenance;
using Assistant.Api.Restarts;
using Assistant.Api.Resources;
using Assistant.Api.Sessions;
using Assistant.Api.Spending;
using Assistant.Api.Telegram;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Assistant.Api;

public static class ApiEndpoints
{
    /// <summary>Maps every HTTP endpoint of the service.</summary>
    public static IEndpointRouteBuilder MapAssistantApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthApi();
        endpoints.MapSessionsApi();
        endpoints.MapSessionSettingsApi();
        endpoints.MapSessionMemoryApi();
        endpoints.MapUsageApi();
        endpoints.MapTelegramApi();
        endpoints.MapResourcesApi();
        endpoints.MapRestartApi();
        endpoints.MapMaintenanceApi();
        endpoints.MapTasksApi();
        endpoints.MapConsole();
        endpoints.MapOpenApi(OpenApiSetup.DocumentPath.Replace("v1", "{documentName}", StringComparison.Ordinal));
        return endpoints;
    }
}
