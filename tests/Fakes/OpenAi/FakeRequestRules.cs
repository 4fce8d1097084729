using System.Text.Json;
using System.Text.Json.Nodes;

namespace Assistant.Fakes.OpenAi;

/// <summary>
/// What a real chat completions endpoint refuses before it answers, with its error shape: a model
/// it does not serve (404 <c>model_not_found</c>), and messages out of order (400
/// <c>invalid_request_error</c>): a <c>tool</c> message that answers no preceding assistant
/// <c>tool_calls</c>, an assistant's <c>tool_calls</c> left unanswered before the next message, a
/// conversation with no user message.
/// </summary>
internal static class FakeRequestRules
{
    public sealed record Refused(int Status, JsonObject Body);

    public static Refused? Refusal(FakeCompletionRequest request, ISet<string>? models)
    {
        if (models is not null && !models.Contains(request.Model))
        {
            return Error(404, $"The model `{request.Model}` does not exist or you do not have access to it.", "invalid_request_error", null, "model_not_found");
        }

        if (!request.Body.TryGetProperty("messages", out var list) || list.ValueKind != JsonValueKind.Array
            || !list.EnumerateArray().Any(m => Role(m) == "user"))
        {
            return Error(400, "Invalid 'messages': a conversation needs at least one user message.", "invalid_request_error", "messages", null);
        }

        var messages = list.EnumerateArray().ToList();
        var awaited = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < messages.Count; i++)
        {
            var role = Role(messages[i]);
            if (role == "tool")
            {
                var answers = messages[i].TryGetProperty("tool_call_id", out var id) ? id.GetString() : null;
                if (answers is null || !awaited.Remove(answers))
                {
                    return Error(400, "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", "invalid_request_error", $"messages.[{i}].role", null);
                }

                continue;
            }

            if (awaited.Count > 0)
            {
                return Error(400, "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: " + string.Join(", ", awaited), "invalid_request_error", "messages", null);
            }

            if (role == "assistant" && messages[i].TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    awaited.Add(call.TryGetProperty("id", out var callId) ? callId.GetString() ?? "" : "");
                }
            }
        }

        return null;
    }

    private static string? Role(JsonElement message) => message.TryGetProperty("role", out var role) ? role.GetString() : null;

    private static Refused Error(int status, string message, string type, string? param, string? code) => new(status, new JsonObject
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
    });
}
