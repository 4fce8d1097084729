using System.Text.Json;
using Assistant.Sessions;

namespace Assistant.Api.Sessions;

/// <summary>The checks every session request passes before any grain sees it, so bad input stores nothing.</summary>
public static class SessionInput
{
    /// <returns>Null when the id is acceptable, otherwise why not.</returns>
    public static string? CheckId(string id, ChatSessionOptions options)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return "The session id must not be empty.";
        }

        if (id.Length > options.MaxSessionIdLength)
        {
            return $"The session id has {id.Length} characters; at most {options.MaxSessionIdLength} are allowed.";
        }

        return id.Any(char.IsControl) ? "The session id must not contain control characters." : null;
    }

    /// <returns>Null when the text is acceptable, otherwise why not.</returns>
    public static string? CheckText(string? text, ChatSessionOptions options)
    {
        if (text is null)
        {
            return "The body needs a \"text\" field, as in {\"text\": \"hello\"}.";
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return "The text is empty or only whitespace.";
        }

        return text.Length > options.MaxMessageChars
            ? $"The text has {text.Length} characters; at most {options.MaxMessageChars} are allowed (Sessions:MaxMessageChars)."
            : null;
    }

    /// <summary>Reads the JSON body; null with an error message when it is not JSON of the expected shape.</summary>
    public static async Task<(MessageRequest? Request, string? Error)> ReadAsync(Stream body, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        try
        {
            var request = await JsonSerializer.DeserializeAsync<MessageRequest>(body, json, cancellationToken);
            return request is null ? (null, "The body must be a JSON object such as {\"text\": \"hello\"}.") : (request, null);
        }
        catch (JsonException ex)
        {
            return (null, $"The body is not JSON of the form {{\"text\": \"hello\"}}: {ex.Message}");
        }
    }

    /// <summary>A 400 naming the bad field and why.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem Invalid(string field, string message) =>
        Microsoft.AspNetCore.Http.TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "Invalid request");
}
