using System.Text.Json.Nodes;
using Assistant.Api.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Assistant.Api;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>: every endpoint with its typed results, and for
/// each whether it needs the admin key: <c>x-admin-key</c> is <c>always</c> (401 even before a key
/// is configured), <c>when-configured</c> (open until <c>Admin:ApiKey</c> is set) or <c>never</c>
/// (the health probes and the Telegram webhook). <c>/metrics</c>, served by the Prometheus
/// exporter rather than a route handler, is described by hand.
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";
    private const string SchemeName = "AdminKey";

    public static IServiceCollection AddAssistantOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            // The Orleans Dashboard's page calls its own JSON routes; the page itself is listed by hand.
            options.ShouldInclude = d => !(d.RelativePath ?? "").StartsWith("dashboard", StringComparison.Ordinal);
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Assistant",
                    Version = "v1",
                    Description = "A Telegram AI assistant that runs itself: chat sessions, health, resources, restarts, maintenance, tasks.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = AdminKey.Header,
                    Description = "The admin key (Admin:ApiKey); also accepted as a Bearer token or as the Basic password.",
                };
                document.Paths ??= new OpenApiPaths();
                document.Paths["/metrics"] = ByHand(document, "Metrics", "when-configured", "Prometheus text format: this silo's metrics (the assistant's own, Orleans', the runtime's, ASP.NET Core's).", ("200", "text/plain", "The metrics."));
                document.Paths["/health/live"] = ByHand(document, "Health", "never", "Liveness: the process answers.", ("200", "application/json", "Alive."));
                document.Paths["/health/ready"] = ByHand(document, "Health", "never", "Readiness: healthy, active in the cluster and not restarting; each check with its reason.", ("200", "application/json", "Ready."), ("503", "application/json", "Not ready: the body says which check failed and why."));
                document.Paths["/console"] = ByHand(document, "Console", "when-configured", "The operator console (HTML): health, charts, alerts, silos, Telegram, restarts, tasks and sessions, refreshed every 5 s.", ("200", "text/html", "The console page."));
                document.Paths["/dashboard/"] = ByHand(document, "Dashboard", "when-configured", "The Orleans Dashboard (HTML; Dashboard:Enabled=false turns it off).", ("200", "text/html", "The dashboard page."));
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var need = metadata.OfType<IAllowAnonymous>().Any() ? "never"
                    : metadata.OfType<IAuthorizeData>().Any(a => a.Policy == AdminKey.Always) ? "always"
                    : "when-configured";
                Describe(operation, need, context.Document);
                return Task.CompletedTask;
            });
        });

    private static void Describe(OpenApiOperation operation, string need, OpenApiDocument? document)
    {
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        operation.Extensions["x-admin-key"] = new JsonNodeExtension(JsonValue.Create(need));
        if (need == "never")
        {
            return;
        }

        var key = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] };

        // "when-configured" also lists the empty requirement: open while no key is configured.
        operation.Security = need == "always" ? [key] : [key, new OpenApiSecurityRequirement()];
        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("401", new OpenApiResponse { Description = need == "always" ? "No admin key, or a wrong one (always needed here)." : "A key is configured and the request lacks it or has a wrong one." });
    }

    /// <summary>A GET served by something other than a route handler (the Prometheus exporter, the health checks, the dashboard).</summary>
    private static OpenApiPathItem ByHand(OpenApiDocument document, string tag, string need, string summary, params (string Status, string ContentType, string Description)[] responses)
    {
        var operation = new OpenApiOperation
        {
            Summary = summary,
            Tags = new HashSet<OpenApiTagReference> { new(tag, document) },
            Responses = new OpenApiResponses(),
        };
        foreach (var (status, contentType, description) in responses)
        {
            operation.Responses[status] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { [contentType] = new OpenApiMediaType() },
            };
        }

        Describe(operation, need, document);
        return new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = operation } };
    }
}
