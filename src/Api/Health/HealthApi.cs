using Assistant.Maintenance;
using Assistant.Restarts;
using Assistant.Telegram;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Assistant.Api.Health;

public static class HealthApi
{
    /// <summary>Checks tagged with this run for <c>/health</c>: a real grain call and a database query.</summary>
    public const string HealthTag = "health";

    /// <summary>Checks tagged with this run for <c>/health/ready</c>: those of /health, the silo Active, not restarting.</summary>
    public const string ReadyTag = "ready";

    public static RouteGroupBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/health").WithTags("Health").AllowAnonymous(); // probes never need the key
        group.MapGet("", GetHealthAsync);
        group.MapHealthChecks("/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        group.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync });
        return group;
    }

    internal static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> GetHealthAsync(
        CachedHealthReport checks, TelegramStatusService telegramStatus, ServiceMode mode, RestartCoordinator restart, CancellationToken cancellationToken)
    {
        var report = await checks.GetAsync().WaitAsync(cancellationToken);
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

    /// <summary><c>{"status":"healthy","checks":{"grain_call":"healthy",...}}</c>, with the reason of each failing check.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var checks = report.Entries.ToDictionary(
            e => e.Key,
            e => e.Value.Status == HealthStatus.Healthy ? "healthy" : $"unhealthy: {e.Value.Exception?.Message ?? e.Value.Description}");
        return context.Response.WriteAsJsonAsync(new { status = report.Status == HealthStatus.Healthy ? "healthy" : "unhealthy", checks });
    }

    private static string Describe(HealthReport report) => string.Join("; ", report.Entries
        .Where(e => e.Value.Status != HealthStatus.Healthy)
        .Select(e => $"{e.Key}: {e.Value.Exception?.Message ?? e.Value.Description ?? e.Value.Status.ToString()}"));
}
