using Assistant.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Assistant.Api.Maintenance;

public static class TasksApi
{
    public static RouteGroupBuilder MapTasksApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/tasks").WithTags("Tasks");
        group.MapGet("", ListAsync);
        group.MapGet("/{id:long}", GetAsync);
        return group;
    }

    /// <summary>The newest background tasks first; <c>?status=pending|running|completed|failed&amp;limit=50</c>.</summary>
    internal static async Task<Results<Ok<IReadOnlyList<ServerTask>>, ValidationProblem>> ListAsync(
        ServerTasks tasks, CancellationToken cancellationToken, string? status = null, int limit = 50)
    {
        if (status is not null && !ServerTask.Statuses.Contains(status))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"Use one of {string.Join(", ", ServerTask.Statuses)}."] });
        }

        if (limit is < 1 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["Use a limit between 1 and 1000."] });
        }

        return TypedResults.Ok(await tasks.ListAsync(status, limit, cancellationToken));
    }

    internal static async Task<Results<Ok<ServerTask>, NotFound>> GetAsync(long id, ServerTasks tasks, CancellationToken cancellationToken) =>
        await tasks.GetAsync(id, cancellationToken) is { } task ? TypedResults.Ok(task) : TypedResults.NotFound();
}
