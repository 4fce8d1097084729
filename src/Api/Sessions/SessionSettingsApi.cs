using System.Text.Json;
using Assistant.Api.Admin;
using Assistant.Models;
using Assistant.Sessions;
using Assistant.Silos;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Sessions;

/// <summary><c>GET</c> and <c>PUT /sessions/{id}/settings</c>: the HTTP session's model and persona.</summary>
public static class SessionSettingsApi
{
    public static void MapSessionSettingsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/sessions").WithTags("Sessions");
        group.MapGet("/{id}/settings", GetAsync).RequireAdminKeyWhenConfigured().ProducesValidationProblem();
        group.MapPut("/{id}/settings", PutAsync).RequireAdminKeyWhenConfigured().ProducesValidationProblem();
    }

    internal static async Task<Results<Ok<ChatSettingsView>, ValidationProblem>> GetAsync(
        string id, IGrainFactory grains, ClusterRetry retry, IOptions<ChatSessionOptions> options, CancellationToken cancellationToken)
    {
        if (SessionInput.CheckId(id, options.Value) is { } badId)
        {
            return Invalid("id", badId);
        }

        return TypedResults.Ok(await retry.CallAsync(() => Session(grains, id).GetSettingsAsync(), cancellationToken));
    }

    /// <summary><c>{"model": "...", "persona": "..."}</c>, either or both; an unknown name is 400 naming the choices, and nothing changes.</summary>
    internal static async Task<Results<Ok<ChatSettingsView>, ValidationProblem, ProblemHttpResult>> PutAsync(
        string id, HttpRequest request, IGrainFactory grains, ClusterRetry retry, ChatCatalog catalog, IOptions<ChatSessionOptions> options, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        if (SessionInput.CheckId(id, options.Value) is { } badId)
        {
            return Invalid("id", badId);
        }

        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, json.Value.SerializerOptions, cancellationToken);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem($"The body must be JSON such as {{\"model\": \"{catalog.DefaultModel}\", \"persona\": \"{ChatCatalog.DefaultPersona}\"}}: {ex.Message}", statusCode: StatusCodes.Status400BadRequest, title: "Malformed request body");
        }

        var model = Text(body, "model");
        var persona = Text(body, "persona");
        var errors = new Dictionary<string, string[]>();
        if (body.ValueKind != JsonValueKind.Object || (model is null && persona is null))
        {
            errors["body"] = [$"Give \"model\" (one of: {string.Join(", ", catalog.Models)}) and/or \"persona\" (one of: {string.Join(", ", catalog.Personas)})."];
        }

        if (model is not null && catalog.CheckModel(model) is { } badModel)
        {
            errors["model"] = [badModel];
        }

        if (persona is not null && catalog.CheckPersona(persona) is { } badPersona)
        {
            errors["persona"] = [badPersona];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid request");
        }

        try
        {
            return TypedResults.Ok(await retry.CallAsync(() => Session(grains, id).SetSettingsAsync(new ChatSettingsChange(model, persona)), cancellationToken));
        }
        catch (ArgumentException refused)
        {
            // The session's silo knows other choices than this one (a configuration being rolled out).
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [refused.Message] }, title: "Invalid request");
        }
    }

    /// <summary>The named string; null when absent or null (left as it is); anything else as written, which no name matches.</summary>
    private static string? Text(JsonElement body, string name) =>
        body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.GetRawText();

    private static IChatSessionGrain Session(IGrainFactory grains, string id) => grains.GetGrain<IChatSessionGrain>(SessionKey.Api(id));

    private static ValidationProblem Invalid(string field, string message) => SessionInput.Invalid(field, message);
}
