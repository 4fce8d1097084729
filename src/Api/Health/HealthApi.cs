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
        HealthCheckService checks, TelegramStatusService telegramStatus, CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(r => r.Tags.Contains(ReadyTag), cancellationToken);
        var telegram = await telegramStatus.StateAsync(cancellationToken);
        if (report.Status == HealthStatus.Healthy)
        {
            return TypedResults.Ok(new HealthResponse("healthy", telegram));
        }

        return TypedResults.Json(new HealthResponse("unhealthy", telegram, Describe(report)), statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static string Describe(HealthReport report) => string.Join("; ", report.Entries
        .Where(e => e.Value.Status != HealthStatus.Healthy)
        .Select(e => $"{e.Key}: {e.Value.Exception?.Message ?? e.Value.Description ?? e.Value.Status.ToString()}"));
}
