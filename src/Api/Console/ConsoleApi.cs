using Assistant.Api.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Assistant.Api.Console;

/// <summary>
/// The operator console at <c>/console</c>: one page, its script and its style, embedded in this
/// assembly (nothing comes from the internet; the charts are the script's own SVG). It reads the
/// service's documented endpoints every 5 s, so it shows exactly what they say. Behind the admin key
/// once one is configured: a browser asks for it (Basic, the key as the password), as on the dashboard.
/// </summary>
public static class ConsoleApi
{
    private static readonly (string Route, string Resource, string ContentType)[] Assets =
    [
        ("/console", "console.html", "text/html; charset=utf-8"),
        ("/console/console.js", "console.js", "text/javascript; charset=utf-8"),
        ("/console/console.css", "console.css", "text/css; charset=utf-8"),
    ];

    public static RouteGroupBuilder MapConsole(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("").WithTags("Console");
        foreach (var (route, resource, contentType) in Assets)
        {
            var content = Read(resource);
            group.MapGet(route, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "no-cache";
                return TypedResults.Bytes(content, contentType);
            }).RequireAdminKeyWhenConfigured().ExcludeFromDescription();
        }

        return group;
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(ConsoleApi).Assembly.GetManifestResourceStream($"console/{name}")
            ?? throw new InvalidOperationException($"console/{name} is not embedded in {typeof(ConsoleApi).Assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
