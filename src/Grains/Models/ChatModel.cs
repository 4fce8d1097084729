using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Assistant.Models;

/// <summary>The configured model with the options every request carries (limits, tools).</summary>
public sealed class ChatModel
{
    private readonly IChatClient _client;
    private readonly ChatOptions _options;

    public ChatModel(IChatClient client, IOptions<AiOptions> options, BuiltInTools tools)
    {
        _client = client;
        var ai = options.Value;
        Provider = ai.EffectiveProvider;
        Name = Provider == AiProvider.Offline ? "offline" : ai.Model!;
        ReplyTimeout = TimeSpan.FromSeconds(ai.ReplyTimeoutSeconds);
        _options = new ChatOptions
        {
            MaxOutputTokens = ai.MaxOutputTokens,
            Temperature = ai.Temperature,
            Tools = ai.EnableTools && Provider != AiProvider.Offline ? tools.All : null,
        };
    }

    public AiProvider Provider { get; }

    public string Name { get; }

    public TimeSpan ReplyTimeout { get; }

    public IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken) =>
        StreamAsync(messages, Name, cancellationToken);

    /// <summary>
    /// Asks <paramref name="model"/> (one of the models a chat may choose): the request names it, one
    /// client serves them all. <paramref name="turnTools"/> join the built-in ones for this request only.
    /// </summary>
    public IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IEnumerable<ChatMessage> messages, string model, CancellationToken cancellationToken, IList<AITool>? turnTools = null)
    {
        var options = _options.Clone();
        if (Provider != AiProvider.Offline)
        {
            options.ModelId = model;
        }

        if (turnTools is { Count: > 0 })
        {
            options.Tools = [.. options.Tools ?? [], .. turnTools];
        }

        return _client.GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    /// <summary>Asks <paramref name="model"/> for a whole answer of at most <paramref name="maxOutputTokens"/>, without tools (a summary).</summary>
    public async Task<ChatResponse> AskAsync(IEnumerable<ChatMessage> messages, string model, int maxOutputTokens, CancellationToken cancellationToken)
    {
        var options = new ChatOptions { MaxOutputTokens = maxOutputTokens, Temperature = _options.Temperature };
        if (Provider != AiProvider.Offline)
        {
            options.ModelId = model;
        }

        return await _client.GetResponseAsync(messages, options, cancellationToken);
    }
}
