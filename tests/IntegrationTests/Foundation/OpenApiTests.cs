using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Assistant.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Routing;

namespace Assistant.IntegrationTests.Foundation;

/// <summary>
/// <c>/openapi/v1.json</c> against what the silo really maps: every route and method is in it
/// (the dashboard's own JSON calls aside), and what it says about the admin key is what the
/// endpoints do with no key configured and with one.
/// </summary>
public sealed class OpenApiTests
{
    private const string Key = "openapi-key";

    [Fact]
    public async Task Every_mapped_route_is_in_the_document_with_its_methods()
    {
        await using var silo = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("openapi"));
        var document = await DocumentAsync(silo.Http);
        var paths = document.GetProperty("paths");

        var mapped = ((IEndpointRouteBuilder)silo.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (Path: Normalize(e.RoutePattern.RawText!), Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]))
            .Where(e => !e.Path.StartsWith("/dashboard/", StringComparison.Ordinal) || e.Path == "/dashboard/")
            .Where(e => e.Path != "/openapi/{documentName}.json")
            .Where(e => !e.Path.StartsWith("/console/", StringComparison.Ordinal)) // the console page's script and style
            .ToList();

        Assert.Contains(mapped, e => e.Path == "/sessions/{id}/messages"); // the walk finds the API's routes
        foreach (var (path, methods) in mapped)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is mapped but not in the OpenAPI document");
            foreach (var method in methods)
            {
                Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out _), $"{method} {path} is mapped but not in the OpenAPI document");
            }
        }

        Assert.True(paths.TryGetProperty("/metrics", out _));
        Assert.Equal("X-Api-Key", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("AdminKey").GetProperty("name").GetString());

        // Typed results and problem responses are described.
        var post = paths.GetProperty("/sessions/{id}/messages").GetProperty("post").GetProperty("responses");
        foreach (var status in new[] { "200", "400", "401", "413", "429", "503" })
        {
            Assert.True(post.TryGetProperty(status, out _), $"POST /sessions/{{id}}/messages lacks {status}");
        }

        Assert.Equal("application/problem+json", post.GetProperty("429").GetProperty("content").EnumerateObject().Single().Name);
    }

    [Fact]
    public async Task What_the_document_says_about_the_key_is_what_the_endpoints_do()
    {
        await using var open = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("openapi-open"));
        var paths = (await DocumentAsync(open.Http)).GetProperty("paths");
        Assert.Equal("never", AdminKeyOf(paths, "/health", "get"));
        Assert.Equal("when-configured", AdminKeyOf(paths, "/sessions/report", "get"));
        Assert.Equal("always", AdminKeyOf(paths, "/telegram/dead-letters", "get"));

        // Without a configured key: "always" answers 401, "when-configured" is open.
        using (var response = await open.Http.GetAsync("/telegram/dead-letters"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var response = await open.Http.GetAsync("/sessions/report"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // With one: "when-configured" needs it (the document too), "never" does not.
        await using var keyed = await InProcessSilo.StartAsync(TestPaths.NewTempDirectory("openapi-keyed"), new Dictionary<string, string?> { ["Admin:ApiKey"] = Key });
        using (var response = await keyed.Http.GetAsync("/openapi/v1.json"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var response = await keyed.Http.GetAsync("/sessions/report"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var response = await keyed.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static async Task<JsonElement> DocumentAsync(HttpClient http)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        return document.RootElement.Clone();
    }

    private static string? AdminKeyOf(JsonElement paths, string path, string method) =>
        paths.GetProperty(path).GetProperty(method).GetProperty("x-admin-key").GetString();

    /// <summary>
    /// Route patterns as OpenAPI writes paths: a leading slash, no trailing one (a group's "" route
    /// is <c>/health/</c>), no route constraints (<c>{id:long}</c> is <c>{id}</c>); the dashboard's page is <c>/dashboard/</c>.
    /// </summary>
    private static string Normalize(string pattern)
    {
        var path = Regex.Replace(pattern, @"\{([^}:]+)(:[^}]*)?\}", "{$1}");
        path = "/" + path.Trim('/');
        return path == "/dashboard" ? "/dashboard/" : path;
    }
}
