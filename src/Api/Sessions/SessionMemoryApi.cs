using Assistant.Api.Admin;
using Assistant.Memory;
using Assistant.Sessions;
using Assistant.Silos;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Sessions;

/// <summary>
/// What an HTTP session keeps, in the user's hands: <c>GET /sessions/{id}/export</c> (Markdown) and
/// <c>DELETE /sessions/{id}?erase=all</c> (mapped with the reset in <see cref="SessionsApi"/>).
/// </summary>
public static class SessionMemoryApi
{
    public const string EraseAll = "all";

    public static void MapSessionMemoryApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/sessions").WithTags("Sessions");
        group.MapGet("/{id}/export", ExportAsync).RequireAdminKeyWhenConfigured()
            .Produces<string>(StatusCodes.Status200OK, ConversationExport.ContentType).ProducesValidationProblem();
    }

    internal static async Task<Results<ContentHttpResult, ValidationProblem>> ExportAsync(
        string id, HttpResponse response, IGrainFactory grains, ClusterRetry retry, IOptions<ChatSessionOptions> options, [FromKeyedServices(Clock.Key)] TimeProvider time, CancellationToken cancellationToken)
    {
        if (SessionInput.CheckId(id, options.Value) is { } badId)
        {
            return SessionInput.Invalid("id", badId);
        }

        var markdown = await retry.CallAsync(() => grains.GetGrain<IChatSessionGrain>(SessionKey.Api(id)).ExportAsync(), cancellationToken);
        response.Headers.ContentDisposition = $"attachment; filename=\"{ConversationExport.FileName(time.GetUtcNow())}\"";
        return TypedResults.Text(markdown, ConversationExport.ContentType + "; charset=utf-8");
    }

    /// <summary>Erases the session (<c>?erase=all</c>); any other value of <c>erase</c> is 400.</summary>
    internal static async Task<Results<NoContent, Ok<ErasureReport>, ValidationProblem>> EraseAsync(
        string id, string erase, IGrainFactory grains, ClusterRetry retry, CancellationToken cancellationToken)
    {
        if (erase != EraseAll)
        {
            return SessionInput.Invalid("erase", $"erase takes one value, '{EraseAll}': DELETE /sessions/{{id}}?erase=all erases the conversation, its summary, notes, settings and statistics. Without it, DELETE resets the conversation.");
        }

        return TypedResults.Ok(await retry.CallAsync(() => grains.GetGrain<IChatSessionGrain>(SessionKey.Api(id)).EraseAsync(), cancellationToken));
    }
}
