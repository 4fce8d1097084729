using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Assistant.Api.Admin;
using Assistant.Monitoring;
using Assistant.Sessions;
using Assistant.Silos;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Sessions;

public static class SessionsApi
{
    public static RouteGroupBuilder MapSessionsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/sessions").WithTags("Sessions");
        group.MapGet("/report", GetReportAsync);
        group.MapGet("/limit", GetLimit).RequireAdminKeyWhenConfigured();
        group.MapPost("/limit", SetLimitAsync).RequireAdminKey().ProducesValidationProblem();
        group.MapPost("/{id}/messages", PostMessageAsync).AddEndpointFilter(ThrottleAsync).RequireAdminKeyWhenConfigured()
            .Produces<MessageResponse>().Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/{id}", GetSessionAsync).RequireAdminKeyWhenConfigured(); // the conversation itself
        group.MapDelete("/{id}", ResetSessionAsync).RequireAdminKeyWhenConfigured();
        group.MapPost("/{id}/cancel", CancelAsync).RequireAdminKeyWhenConfigured();
        return group;
    }

    internal static async Task<IResult> PostMessageAsync(
        string id, HttpContext context, IGrainFactory grains, ClusterRetry retry, IOptions<ChatSessionOptions> options, IOptions<JsonOptions> json)
    {
        if (SessionInput.CheckId(id, options.Value) is { } badId)
        {
            return Invalid("id", badId);
        }

        var (request, malformed) = await SessionInput.ReadAsync(context.Request.Body, json.Value.SerializerOptions, context.RequestAborted);
        if (malformed is not null)
        {
            return TypedResults.Problem(malformed, statusCode: StatusCodes.Status400BadRequest, title: "Malformed request body");
        }

        if (SessionInput.CheckText(request!.Text, options.Value) is { } badText)
        {
            return Invalid("text", badText);
        }

        string? idempotencyKey = null;
        if (context.Request.Headers.TryGetValue("Idempotency-Key", out var keys))
        {
            idempotencyKey = keys.ToString();
            if ((keys.Count == 1 ? KeptReplies.Check(idempotencyKey) : "Give one Idempotency-Key header.") is { } badKey)
            {
                return Invalid("Idempotency-Key", badKey);
            }
        }

        var session = Session(grains, id);
        var chat = new ChatRequest(request.Text!, idempotencyKey);
        try
        {
            if (WantsEventStream(context.Request))
            {
                return await StreamAsync(session, chat, retry, context.RequestAborted);
            }

            return TypedResults.Ok(MessageResponse.From(await retry.CallAsync(() => session.AskAsync(chat), context.RequestAborted)));
        }
        catch (IdempotencyKeyReusedException reused)
        {
            return TypedResults.Problem(reused.Message, statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused");
        }
        catch (Assistant.Spending.BudgetExceededException budget)
        {
            context.Response.Headers.RetryAfter = budget.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(budget.Message, statusCode: StatusCodes.Status429TooManyRequests, title: "Budget used");
        }
        catch (SessionBusyException busy)
        {
            context.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(busy.Message, statusCode: StatusCodes.Status429TooManyRequests, title: "Session busy");
        }
        catch (MaintenanceModeException maintenance)
        {
            context.Response.Headers.RetryAfter = "300";
            return TypedResults.Problem(maintenance.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Maintenance mode");
        }
        catch (SessionLimitException full)
        {
            context.Response.Headers.RetryAfter = "120";
            return TypedResults.Problem(full.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Too many sessions");
        }
    }

    /// <summary>The session cap in force (<c>Sessions:MaxActive</c>, or what an admin set) and the active sessions it counts.</summary>
    internal static Ok<SessionLimit> GetLimit(SessionAdmission admission, Assistant.Maintenance.ServiceMode mode, IOptions<ChatSessionOptions> options) =>
        TypedResults.Ok(SessionLimit.Of(admission, mode, options.Value));

    /// <summary><c>{"max_active": 500}</c> caps the active sessions (0: no cap) across restarts; <c>{"max_active": null}</c> goes back to <c>Sessions:MaxActive</c>.</summary>
    internal static async Task<Results<Ok<SessionLimit>, ValidationProblem, ProblemHttpResult>> SetLimitAsync(
        HttpRequest request, IGrainFactory grains, ClusterRetry retry, SessionAdmission admission, Assistant.Maintenance.ServiceMode mode, IOptions<ChatSessionOptions> options, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        System.Text.Json.JsonElement body;
        try
        {
            body = await System.Text.Json.JsonSerializer.DeserializeAsync<System.Text.Json.JsonElement>(request.Body, json.Value.SerializerOptions, cancellationToken);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return TypedResults.Problem($"The body must be JSON such as {{\"max_active\": 500}}: {ex.Message}", statusCode: StatusCodes.Status400BadRequest, title: "Malformed request body");
        }

        int? limit;
        if (body.ValueKind != System.Text.Json.JsonValueKind.Object || !body.TryGetProperty("max_active", out var value))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["max_active"] = ["Give \"max_active\": the most active sessions (0: no cap), or null for Sessions:MaxActive."] });
        }
        else if (value.ValueKind == System.Text.Json.JsonValueKind.Null)
        {
            limit = null;
        }
        else if (value.ValueKind == System.Text.Json.JsonValueKind.Number && value.TryGetInt32(out var number) && number >= 0)
        {
            limit = number;
        }
        else
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["max_active"] = [$"max_active must be a whole number, 0 or more (0: no cap), or null; was {value.GetRawText()}."] });
        }

        mode.Apply(await retry.CallAsync(() => grains.GetGrain<Assistant.Maintenance.IServiceModeGrain>(0).SetSessionLimitAsync(limit), cancellationToken));
        return TypedResults.Ok(SessionLimit.Of(admission, mode, options.Value));
    }

    internal static async Task<Results<Ok<SessionView>, ValidationProblem>> GetSessionAsync(
        string id, IGrainFactory grains, ClusterRetry retry, IOptions<ChatSessionOptions> options, CancellationToken cancellationToken)
    {
        if (SessionInput.CheckId(id, options.Value) is { } badId)
        {
            return Invalid("id", badId);
        }

        var view = await retry.CallAsync(() => Session(grains, id).GetAsync(), cancellationToken);
        return TypedResults.Ok(view with { SessionId = id });
    }

    /// <summary>Resets the conversation; with <c>?erase=all</c>, erases everything kept for the session (<see cref="SessionMemoryApi"/>).</summary>
    internal static async Task<Results<NoContent, Ok<Memory.ErasureReport>, ValidationProblem>> ResetSessionAsync(
        string id, string? erase, IGrainFactory grains, ClusterRetry retry, IOptions<ChatSessionOptions> options, CancellationToken cancellationToken)
    {
        if (SessionInput.CheckId(id, options.Value) is { } badId)
        {
            return Invalid("id", badId);
        }

        if (erase is not null)
        {
            return await SessionMemoryApi.EraseAsync(id, erase, grains, retry, cancellationToken);
        }

        await retry.CallAsync(() => Session(grains, id).ResetAsync(), cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<CancelResponse>, ValidationProblem>> CancelAsync(
        string id, IGrainFactory grains, ClusterRetry retry, IOptions<ChatSessionOptions> options, CancellationToken cancellationToken)
    {
        if (SessionInput.CheckId(id, options.Value) is { } badId)
        {
            return Invalid("id", badId);
        }

        return TypedResults.Ok(new CancelResponse(await retry.CallAsync(() => Session(grains, id).CancelAsync(), cancellationToken)));
    }

    /// <summary>
    /// The aggregates for everyone; the largest sessions (whose ids are chat ids) only with the admin key,
    /// so nothing open to anonymous callers names a user.
    /// </summary>
    internal static async Task<Ok<SessionsReport>> GetReportAsync(HttpContext context, SessionReports reports, CancellationToken cancellationToken, int largest = 20) =>
        TypedResults.Ok(await reports.BuildAsync(context.User.Identity?.IsAuthenticated == true ? Math.Clamp(largest, 0, 1000) : 0, cancellationToken));

    /// <summary>
    /// Server-sent events: <c>delta</c> events with <c>{"text": ...}</c> as the reply grows, then one
    /// <c>done</c> event with the same body as the non-streaming answer.
    /// </summary>
    private static async Task<IResult> StreamAsync(IChatSessionGrain session, ChatRequest chat, ClusterRetry retry, CancellationToken cancellationToken)
    {
        // The first step runs the session's checks (busy, length), so refusals still get a proper
        // status code; it is also the only step that can be retried after a lost silo.
        var (events, first) = await retry.CallAsync(async () =>
        {
            var enumerator = session.AskStreamingAsync(chat).WithCancellation(cancellationToken).GetAsyncEnumerator();
            try
            {
                return (enumerator, await enumerator.MoveNextAsync());
            }
            catch
            {
                await enumerator.DisposeAsync();
                throw;
            }
        }, cancellationToken);
        return TypedResults.ServerSentEvents(Items(events, first));
    }

    private static async IAsyncEnumerable<SseItem<object>> Items(ConfiguredCancelableAsyncEnumerable<ReplyEvent>.Enumerator events, bool hasFirst)
    {
        try
        {
            for (var more = hasFirst; more; more = await events.MoveNextAsync())
            {
                var item = events.Current;
                yield return item.Kind == ReplyEventKind.Delta
                    ? new SseItem<object>(new DeltaEvent(item.Text!), "delta")
                    : new SseItem<object>(MessageResponse.From(item.Reply!), "done");
            }
        }
        finally
        {
            await events.DisposeAsync();
        }
    }

    /// <summary>While the monitor throttles under high CPU, chat requests wait their turn or get 429.</summary>
    private static async ValueTask<object?> ThrottleAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.RequestServices.GetRequiredService<Assistant.Restarts.RestartCoordinator>().Draining)
        {
            // A silo that is restarting takes no new chat requests; another silo (or this one, shortly) will.
            context.HttpContext.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem("This silo is restarting and takes no new chat requests; try again in a few seconds.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Restarting");
        }

        var admission = context.HttpContext.RequestServices.GetRequiredService<ChatAdmission>();
        var lease = await admission.EnterAsync(ChatChannel.Http, context.HttpContext.RequestAborted);
        if (lease is null)
        {
            context.HttpContext.Response.Headers.RetryAfter = admission.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem("The service is under high CPU load and is throttling chat requests; try again shortly.", statusCode: StatusCodes.Status429TooManyRequests, title: "Throttled");
        }

        // Held until the response is complete: a streamed reply (text/event-stream) is written after this filter returns.
        context.HttpContext.Response.RegisterForDispose(lease);
        return await next(context);
    }

    /// <summary>The API's own session <paramref name="id"/>: always in the <c>api:</c> key space, never a Telegram chat.</summary>
    private static IChatSessionGrain Session(IGrainFactory grains, string id) => grains.GetGrain<IChatSessionGrain>(SessionKey.Api(id));

    private static bool WantsEventStream(HttpRequest request) =>
        request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);

    private static ValidationProblem Invalid(string field, string message) => SessionInput.Invalid(field, message);
}

public sealed record CancelResponse(bool Cancelled);

public sealed record DeltaEvent(string Text);
