using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Limits;

/// <summary>
/// Refuses a request body over <c>Api:MaxBodyBytes</c> with 413 and a problem body: at once when
/// its Content-Length says so (nothing of it is read), and as soon as a chunked body passes the
/// limit (Kestrel stops reading there). The Telegram webhook has its own, larger limit.
/// </summary>
public static class BodyLimit
{
    private const long WebhookBytes = 1024 * 1024;

    public static IApplicationBuilder UseBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var limit = context.Request.Path.StartsWithSegments("/telegram/webhook", StringComparison.OrdinalIgnoreCase)
            ? WebhookBytes
            : context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxBodyBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit; // also what Kestrel drains of an unread body before it gives up the connection
        }

        if (context.Request.ContentLength > limit)
        {
            context.Response.Headers.Connection = "close";
            await RefuseAsync(context, limit);
            return;
        }

        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            await RefuseAsync(context, limit);
        }
    });

    private static async Task RefuseAsync(HttpContext context, long limit)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        var problem = new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "Request body too large",
                Detail = $"The request body is over the limit of {limit} bytes (Api:MaxBodyBytes).",
            },
        };
        if (!await context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(problem))
        {
            // The client accepts no JSON (Accept: text/plain): the problem body goes anyway, not a 500.
            await context.Response.WriteAsJsonAsync(problem.ProblemDetails, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        }
    }
}
