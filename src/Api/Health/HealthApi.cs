using Assistant.Maintenance;
using Assistant.Restarts;
using Assistant.Telegram;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Assistant.Api.Health;

public static class HealthApi
{
    /// <summary>Health checks tagged with this run for <c>/health</c> and <c>/health/ready</c>.</summary>
    public const string ReadyTag = "ready";

    public static RouteGroupBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/health").WithTags("Health");
        group.MapGet("", GetHealthAsync);
        return group;
    }

    internal static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> GetHealthAsync(
        HealthCheckService checks, TelegramStatusService telegramStatus, ServiceMode mode, RestartCoordinator restart, CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(r => r.Tags.Contains(ReadyTag), cancellationToken);
        var telegram = await telegramStatus.StateAsync(cancellationToken);
        var healthy = report.Status == HealthStatus.Healthy;
        var body = new HealthResponse(
            healthy ? "healthy" : "unhealthy",
            telegram,
            healthy ? null : Describe(report),
            mode.Maintenance ? true : null,
            mode.Maintenance ? mode.Message : null,
            restart.Draining ? true : null);
        return healthy ? TypedResults.Ok(body) : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static string Describe(HealthReport report) => string.Join("; ", report.Entries
        .Where(e => e.Value.Status != HealthStatus.Healthy)
        .Select(e => $"{e.Key}: {e.Value.Exception?.Message ?? e.Value.Description ?? e.Value.Status.ToString()}"));
}
