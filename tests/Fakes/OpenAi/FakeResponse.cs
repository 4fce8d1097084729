namespace Assistant.Fakes.OpenAi;

/// <summary>How the fake model answers one chat completion request.</summary>
public abstract record FakeResponse
{
    /// <summary>
    /// A normal answer, streamed in chunks of <paramref name="ChunkSize"/> characters when the request
    /// streams; <paramref name="FinishReason"/> <c>length</c> is an answer cut at the token limit.
    /// </summary>
    public sealed record Text(string Content, int ChunkSize = 8, string FinishReason = "stop") : FakeResponse;

    /// <summary>An HTTP error such as 429 (with Retry-After) or 500, with an OpenAI-style error body saying <paramref name="Message"/>.</summary>
    public sealed record Status(int Code, int? RetryAfterSeconds = null, string? Message = null) : FakeResponse;

    /// <summary>200 with a body that is not what the protocol promises.</summary>
    public sealed record Garbage(string Body = "this is not json {{{") : FakeResponse;

    /// <summary>The model asks to call a tool; the next request carries the result. Streamed, its arguments come in fragments of a few characters, as real endpoints send them.</summary>
    public sealed record ToolCall(string Name, string ArgumentsJson = "{}") : FakeResponse;

    /// <summary>The model asks for several tools at once (parallel tool calls), each with its own index and id.</summary>
    public sealed record ToolCalls(IReadOnlyList<ToolCall> Calls) : FakeResponse;

    /// <summary>Answers <paramref name="Content"/> only once <paramref name="Release"/> completes (or the caller gives up).</summary>
    public sealed record Held(Task Release, string Content) : FakeResponse;

    /// <summary>Streams <paramref name="Head"/>, then waits for <paramref name="Release"/> before streaming <paramref name="Tail"/>.</summary>
    public sealed record HeldMidStream(string Head, Task Release, string Tail) : FakeResponse;
}
