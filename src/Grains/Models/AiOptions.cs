namespace Assistant.Models;

/// <summary>The AI model. Section <c>AI</c> (environment variables <c>AI__Endpoint</c>, ...).</summary>
public sealed class AiOptions
{
    public const string Section = "AI";

    /// <summary><c>OpenAI</c> or <c>Offline</c>. Unset: OpenAI when <see cref="Endpoint"/> is set, otherwise Offline.</summary>
    public AiProvider? Provider { get; set; }

    /// <summary>Base URL of the OpenAI-compatible API, including <c>/v1</c> (for example <c>http://localhost:11434/v1</c>).</summary>
    public string? Endpoint { get; set; }

    /// <summary>API key sent as a bearer token; servers that need none (Ollama) accept any value.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model name, as the server knows it (for example <c>gpt-4o-mini</c> or <c>llama3.2</c>).</summary>
    public string? Model { get; set; }

    /// <summary>
    /// The models a chat may choose (<c>/model</c>, <c>PUT /sessions/{id}/settings</c>), besides
    /// <see cref="Model"/>, which is always one of them and every chat's until it chooses.
    /// </summary>
    public List<string> Models { get; set; } = [];

    /// <summary>
    /// Personas a chat may choose: a name (lower-case letters, digits, <c>-</c>, <c>_</c>) and its
    /// system prompt. <c>default</c> is <c>Sessions:SystemPrompt</c> unless given here.
    /// </summary>
    public Dictionary<string, string> Personas { get; set; } = [];

    /// <summary>
    /// Models that answer a turn, in order, when the chat's model fails with a 429, a 5xx or a
    /// timeout after its retries (and had sent no text yet). Default: none.
    /// </summary>
    public List<string> FallbackModels { get; set; } = [];

    /// <summary>The model that summarises turns pruned from a chat's window (<c>Sessions:Summaries</c>). Unset: the chat's own model.</summary>
    public string? SummaryModel { get; set; }

    /// <summary>
    /// USD per million input and output tokens, per model (<c>AI:Prices:MODEL:InputPerMillion</c>,
    /// <c>OutputPerMillion</c>). A model without a price costs 0, which the log says once.
    /// </summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Seconds one request may take before it is retried. Default 60.</summary>
    public double TimeoutSeconds { get; set; } = 60;

    /// <summary>Seconds a whole reply may take, retries and streaming included. Default 300.</summary>
    public double ReplyTimeoutSeconds { get; set; } = 300;

    /// <summary>Retries after a 429, a 5xx, a timeout or a connection failure. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay in seconds; it doubles with each retry (with jitter). Default 1.</summary>
    public double RetryBaseDelaySeconds { get; set; } = 1;

    /// <summary>The longest <c>Retry-After</c> honoured before retrying, in seconds; longer waits fail the reply instead. Default 30.</summary>
    public double MaxRetryAfterSeconds { get; set; } = 30;

    /// <summary>Upper bound on tokens in one reply (sent as <c>max_completion_tokens</c>). Default 1024.</summary>
    public int MaxOutputTokens { get; set; } = 1024;

    /// <summary>Sampling temperature; unset leaves the server's default.</summary>
    public float? Temperature { get; set; }

    /// <summary>Whether the model may call the built-in tools (current time, service health). Default true.</summary>
    public bool EnableTools { get; set; } = true;

    /// <summary>
    /// Whether the model takes images: photos are sent to it as image parts. When false, or when
    /// the endpoint rejects an image, the user is told and a photo's caption is answered alone. Default true.
    /// </summary>
    public bool Vision { get; set; } = true;

    /// <summary>The speech-to-text model voice notes are transcribed with (<c>/v1/audio/transcriptions</c>). Default <c>whisper-1</c>.</summary>
    public string TranscriptionModel { get; set; } = "whisper-1";

    /// <summary>
    /// Base URL of the OpenAI-compatible transcription API, including <c>/v1</c>. Unset: <see cref="Endpoint"/>.
    /// With neither set, voice notes get a reply that transcription is not configured.
    /// </summary>
    public string? TranscriptionEndpoint { get; set; }

    /// <summary>
    /// The key for <see cref="TranscriptionEndpoint"/>. Unset: <see cref="ApiKey"/>, but only when the
    /// transcription endpoint is <see cref="Endpoint"/> itself; the chat key never goes to another host.
    /// </summary>
    public string? TranscriptionApiKey { get; set; }

    /// <summary>The key sent with transcription requests (see <see cref="TranscriptionApiKey"/>).</summary>
    public string? EffectiveTranscriptionApiKey =>
        !string.IsNullOrEmpty(TranscriptionApiKey) ? TranscriptionApiKey
        : SameServer(EffectiveTranscriptionEndpoint, Endpoint) ? ApiKey
        : null;

    /// <summary>Same scheme, host and port: a key for one may go to the other.</summary>
    private static bool SameServer(string? a, string? b) =>
        Uri.TryCreate(a, UriKind.Absolute, out var first) && Uri.TryCreate(b, UriKind.Absolute, out var second)
        && Uri.Compare(first, second, UriComponents.SchemeAndServer, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>Where voice is transcribed, or null when nowhere is configured.</summary>
    public string? EffectiveTranscriptionEndpoint =>
        !string.IsNullOrWhiteSpace(TranscriptionEndpoint) ? TranscriptionEndpoint
        : EffectiveProvider == AiProvider.OpenAI ? Endpoint
        : null;

    public AiProvider EffectiveProvider => Provider ?? (string.IsNullOrWhiteSpace(Endpoint) ? AiProvider.Offline : AiProvider.OpenAI);
}

/// <summary>What a model's tokens cost, in USD per million.</summary>
public sealed class ModelPrice
{
    public decimal InputPerMillion { get; set; }

    public decimal OutputPerMillion { get; set; }
}
