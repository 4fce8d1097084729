using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Assistant.Models;

/// <summary>
/// The provider used when no model is configured, so the service runs on a fresh machine with
/// no keys. It never pretends to be a model: every reply says so and says how to configure one.
/// </summary>
public sealed class OfflineChatClient : IChatClient
{
    public const string Reply =
        "No AI model is configured for this service yet, so I can't answer — this reply comes from the service itself, not from a model. " +
        "An operator can connect one by setting AI__Endpoint (for example http://localhost:11434/v1 for Ollama, or https://api.openai.com/v1 together with AI__ApiKey) " +
        "and AI__Model, then restarting the service. Your message has been kept.";

    private static readonly ChatClientMetadata Metadata = new("offline");

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Reply)) { ModelId = "offline" });

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        var start = 0;
        while (start < Reply.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = Reply.IndexOf(' ', Math.Min(start + 40, Reply.Length - 1));
            var end = next < 0 ? Reply.Length : next + 1;
            yield return new ChatResponseUpdate(ChatRole.Assistant, Reply[start..end]) { ModelId = "offline" };
            start = end;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
