using System.Text.Json;
using Assistant.Api.Admin;
using Assistant.Maintenance;
using Assistant.Silos;
using Assistant.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Maintenance;

public static class MaintenanceApi
{
    public static RouteGroupBuilder MapMaintenanceApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/maintenance").WithTags("Maintenance");
        group.MapGet("/mode", GetModeAsync);
        group.MapPost("/mode", SetModeAsync).RequireAdminKey().Produces<ServiceModeState>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("/{operation}", RunAsync).RequireAdminKey()
            .Produces<Assistant.Tasks.ServerTask>().Produces<Assistant.Tasks.ServerTask>(StatusCodes.Status202Accepted).Produces<Assistant.Tasks.ServerTask>(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return group;
    }

    /// <summary>
    /// Runs checkpoint, analyze, reindex, vacuum, integrity-check, backup or task-cleanup as a
    /// background task and waits for it: 200 with the task when it completed, 500 when it failed,
    /// 202 when it is still running after <c>Maintenance:WaitSeconds</c> (follow <c>/tasks/{id}</c>).
    /// </summary>
    internal static async Task<IResult> RunAsync(
        string operation, IGrainFactory grains, ClusterRetry retry, MaintenanceOperations operations, ServerTasks tasks,
        IOptions<MaintenanceOptions> options, [FromKeyedServices(Clock.Key)] TimeProvider time, CancellationToken cancellationToken)
    {
        if (operations.Refusal(operation) is { } refusal)
        {
            return TypedResults.Problem(refusal, statusCode: StatusCodes.Status400BadRequest, title: "Maintenance operation not available");
        }

        var id = await retry.CallAsync(() => grains.GetGrain<ITaskRunnerGrain>(0).EnqueueAsync(operation), cancellationToken);
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(options.Value.WaitSeconds);
        while (true)
        {
            var task = await tasks.GetAsync(id, cancellationToken);
            if (task is { Status: ServerTask.Completed })
            {
                return TypedResults.Ok(task);
            }

            if (task is { Status: ServerTask.Failed })
            {
                return TypedResults.Json(task, statusCode: StatusCodes.Status500InternalServerError);
            }

            if (time.GetUtcNow() > deadline)
            {
                return TypedResults.Accepted($"/tasks/{id}", task);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
    }

    internal static async Task<Ok<ServiceModeState>> GetModeAsync(IGrainFactory grains, ClusterRetry retry, CancellationToken cancellationToken) =>
        TypedResults.Ok(await retry.CallAsync(() => grains.GetGrain<IServiceModeGrain>(0).GetAsync(), cancellationToken));

    /// <summary><c>{"enabled": true, "message": "..."}</c>: new sessions are turned away politely, existing ones go on.</summary>
    internal static async Task<IResult> SetModeAsync(HttpRequest request, IGrainFactory grains, ClusterRetry retry, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        ModeRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<ModeRequest>(request.Body, json.Value.SerializerOptions, cancellationToken);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem($"The body must be JSON such as {{\"enabled\": true, \"message\": \"Back at 14:00\"}}: {ex.Message}", statusCode: StatusCodes.Status400BadRequest, title: "Malformed request body");
        }

        if (body?.Enabled is not { } enabled)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["enabled"] = ["Give \"enabled\": true or false."] });
        }

        return TypedResults.Ok(await retry.CallAsync(() => grains.GetGrain<IServiceModeGrain>(0).SetAsync(enabled, body.Message), cancellationToken));
    }

    internal sealed record ModeRequest(bool? Enabled, string? Message);
}
