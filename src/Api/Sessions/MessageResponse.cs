using Assistant.Sessions;

namespace Assistant.Api.Sessions;

/// <summary><c>{"reply": "...", "message_count": n, "response_ms": n}</c>, plus <c>failure</c> when the model did not answer.</summary>
public sealed record MessageResponse(string Reply, int MessageCount, long ResponseMs, string? Failure)
{
    public static MessageResponse From(ChatReply reply) => new(reply.Reply, reply.MessageCount, reply.ResponseMs, reply.Failure);
}
