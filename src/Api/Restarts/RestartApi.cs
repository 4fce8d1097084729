using System.Text.Json;
using System.Text.Json.Serialization;
using Assistant.Api.Admin;
using Assistant.Restarts;
using Assistant.Silos;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Restarts;

public static class RestartApi
{
    public static RouteGroupBuilder MapRestartApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/restart").WithTags("Restart");
        group.MapGet("/status", GetStatusAsync);
        group.MapPost("/force", ForceAsync).RequireAdminKey()
            .Produces<ForceResponse>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }

    /// <summary>
    /// <c>{"supervised": ..., "supervisor": ..., "config": {...}, "history": [...newest first], "scheduled": ..., "silos": [...]}</c>;
    /// supervised and supervisor are the answering silo's.
    /// </summary>
    internal static async Task<Ok<StatusResponse>> GetStatusAsync(IGrainFactory grains, ClusterRetry retry, SupervisionDetector supervision, CancellationToken cancellationToken)
    {
        var status = await retry.CallAsync(() => grains.GetGrain<IRestartManagerGrain>(0).GetStatusAsync(), cancellationToken);
        var here = supervision.Current;
        return TypedResults.Ok(new StatusResponse(here.Supervised, here.Supervisor, status.Config, status.History, status.Scheduled, status.Silos));
    }

    /// <summary>
    /// Restarts a silo gracefully: <c>{"silo": "...", "reason": "..."}</c>, both optional (default: the
    /// silo that received this request). 202 when it is draining; 429 when the hourly limit refuses it;
    /// 409 when nothing would start the silo again (not supervised).
    /// </summary>
    internal static async Task<IResult> ForceAsync(
        HttpRequest request, IGrainFactory grains, ClusterRetry retry, ILocalSiloDetails local, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        ForceRequest? body = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                body = await JsonSerializer.DeserializeAsync<ForceRequest>(request.Body, json.Value.SerializerOptions, cancellationToken);
            }
            catch (JsonException ex)
            {
                return TypedResults.Problem($"The body must be JSON such as {{\"silo\": \"host-11111\", \"reason\": \"deploy\"}}: {ex.Message}", statusCode: StatusCodes.Status400BadRequest, title: "Malformed request body");
            }
        }

        var command = new RestartCommand(
            string.IsNullOrWhiteSpace(body?.Silo) ? local.Name : body.Silo,
            string.IsNullOrWhiteSpace(body?.Reason) ? "forced through POST /restart/force" : body.Reason,
            RestartCommand.Manual);
        var decision = await retry.CallAsync(() => grains.GetGrain<IRestartManagerGrain>(0).RequestAsync(command), cancellationToken);
        if (decision.UnknownSilo)
        {
            return TypedResults.Problem(decision.Message, statusCode: StatusCodes.Status404NotFound, title: "Unknown silo");
        }

        if (decision.Unsupervised)
        {
            return TypedResults.Problem(decision.Message, statusCode: StatusCodes.Status409Conflict, title: "Silo not supervised");
        }

        return decision.Accepted
            ? TypedResults.Accepted("/restart/status", new ForceResponse(decision.Message, decision.Entry!))
            : TypedResults.Problem(decision.Message, statusCode: StatusCodes.Status429TooManyRequests, title: "Restart refused");
    }

    internal sealed record ForceRequest(string? Silo, string? Reason);

    internal sealed record StatusResponse(
        bool Supervised,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Supervisor,
        RestartConfig Config,
        IReadOnlyList<RestartEntry> History,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? Scheduled,
        IReadOnlyList<Supervision> Silos);

    internal sealed record ForceResponse(string Message, RestartEntry Restart);
}
