using Assistant.Api.Admin;
using Assistant.Monitoring;
using Assistant.Silos;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Resources;

public static class ResourcesApi
{
    public static RouteGroupBuilder MapResourcesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/resources").WithTags("Resources");
        group.MapGet("/status", GetStatusAsync);
        group.MapGet("/trends", GetTrendsAsync);
        group.MapPost("/cleanup", CleanupAsync).RequireAdminKey();
        return group;
    }

    /// <param name="history">How many recent health samples to include (default 20).</param>
    /// <param name="refresh">
    /// Run a health cycle first, for figures taken now. A cycle can raise alerts, request restarts
    /// and clean up, so this needs the admin key whenever one is configured.
    /// </param>
    internal static async Task<Results<Ok<ResourcesStatus>, ProblemHttpResult>> GetStatusAsync(
        HttpContext context, IGrainFactory grains, ClusterRetry retry, IOptions<MonitoringOptions> options, IOptions<AdminOptions> admin, ChatAdmission admission,
        Assistant.Sessions.SessionAdmission sessions, Assistant.Maintenance.ServiceMode mode, IOptions<Assistant.Sessions.ChatSessionOptions> sessionOptions,
        CancellationToken cancellationToken, int history = 20, bool refresh = false)
    {
        if (refresh && !admin.Value.Admits(context.User, context))
        {
            return TypedResults.Problem(
                $"?refresh=true runs a health cycle (alerts, restarts, cleanup) and needs the admin key: send it as {AdminKey.Header}, or call without refresh.",
                statusCode: StatusCodes.Status401Unauthorized, title: "Admin key required");
        }

        var status = await retry.CallAsync(() => grains.GetGrain<IResourceMonitorGrain>(0).GetStatusAsync(history, refresh), cancellationToken);
        return TypedResults.Ok(ResourcesStatus.From(status, options.Value, admission, Sessions.SessionLimit.Of(sessions, mode, sessionOptions.Value)));
    }

    /// <summary>
    /// The daily baselines of the last <paramref name="days"/> days (today's so far included), the
    /// growth of memory and sessions per day, the peak, and the capacity at twice the peak, from the
    /// stored health history; and the guide's baselines beside the figures of the last health cycle.
    /// </summary>
    internal static async Task<Results<Ok<TrendsReport>, ProblemHttpResult>> GetTrendsAsync(
        HealthHistoryStore store, IGrainFactory grains, ClusterRetry retry, IOptions<MonitoringOptions> options, [FromKeyedServices(Clock.Key)] TimeProvider time, CancellationToken cancellationToken, int days = 30)
    {
        if (days < 1 || days > options.Value.HistoryDays)
        {
            return TypedResults.Problem($"days must be between 1 and Monitoring:HistoryDays ({options.Value.HistoryDays}); was {days}.", statusCode: StatusCodes.Status400BadRequest, title: "Bad days");
        }

        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var first = today.AddDays(1 - days);
        var samples = await store.ReadAsync(new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), now + TimeSpan.FromMinutes(1), cancellationToken);
        // Stored baselines, and for days without one (today; a day the daily run has not reached
        // yet) the baseline of the rows there are.
        var stored = (await store.BaselinesAsync(first, cancellationToken)).Where(d => d.Day < today).ToDictionary(d => d.Day);
        var daily = samples.GroupBy(r => DateOnly.FromDateTime(r.Sample.Timestamp.UtcDateTime))
            .Where(g => !stored.ContainsKey(g.Key))
            .Select(g => DailyBaseline.Of(g.Key, [.. g]))
            .Concat(stored.Values)
            .OrderBy(d => d.Day)
            .ToList();

        var silos = samples.Count == 0 ? 1 : samples[^1].Silos;
        var monitor = await retry.CallAsync(() => grains.GetGrain<IResourceMonitorGrain>(0).GetStatusAsync(0, false), cancellationToken);
        return TypedResults.Ok(Trends.Compute(days, daily, samples, silos, options.Value) with { GuideBaselines = monitor.GuideBaselines ?? [] });
    }

    internal static async Task<Ok<CleanupResult>> CleanupAsync(IGrainFactory grains, ClusterRetry retry, CancellationToken cancellationToken) =>
        TypedResults.Ok(await retry.CallAsync(() => grains.GetGrain<IResourceMonitorGrain>(0).CleanupAsync("requested through POST /resources/cleanup"), cancellationToken));
}
