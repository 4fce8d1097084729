using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using Assistant.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using OpenAI;
using Polly;

namespace Assistant.Models;

public static class ModelServices
{
    public const string HttpClientName = "ai-model";

    /// <summary>
    /// Microsoft.Extensions.AI's OpenTelemetry meter and activity source for model requests:
    /// <c>gen_ai.client.operation.duration</c> (seconds) and <c>gen_ai.client.token.usage</c>.
    /// </summary>
    public const string TelemetrySource = "Assistant.Model";

    /// <summary>
    /// The chat model from the <c>AI</c> section: an OpenAI-compatible endpoint through
    /// Microsoft.Extensions.AI with retries by Polly (429, 5xx, timeouts, connection failures;
    /// exponential backoff with jitter; <c>Retry-After</c> honoured up to a bound), or the offline provider.
    /// </summary>
    public static IServiceCollection AddChatModel(this IServiceCollection services)
    {
        services.AddOptions<AiOptions>().BindConfiguration(AiOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AiOptions>, AiOptionsValidator>();

        var http = services.AddHttpClient(HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        http.AddResilienceHandler("ai-model", (pipeline, context) =>
            {
                var ai = context.ServiceProvider.GetRequiredService<IOptions<AiOptions>>().Value;
                if (ai.MaxRetries > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = ai.MaxRetries,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = TimeSpan.FromSeconds(ai.RetryBaseDelaySeconds),
                        ShouldRetryAfterHeader = false,
                        DelayGenerator = args => new ValueTask<TimeSpan?>(RetryAfter(args.Outcome.Result, ai.MaxRetryAfterSeconds)),
                    });
                }

                pipeline.AddTimeout(TimeSpan.FromSeconds(ai.TimeoutSeconds));
            });
        http.AddUpstreamMeter(UpstreamMeter.Model); // added after the retries, so inside them: every 429 counts

        services.AddSingleton<BuiltInTools>();
        services.AddSingleton<IChatClient>(CreateClient);
        services.AddSingleton<ChatModel>();
        services.AddSingleton(CreateSpeechToText);
        return services;
    }

    private static SpeechToText CreateSpeechToText(IServiceProvider services)
    {
        var ai = services.GetRequiredService<IOptions<AiOptions>>().Value;
        return ai.EffectiveTranscriptionEndpoint is { } endpoint
            ? new SpeechToText(OpenAiClient(services, ai, endpoint, ai.EffectiveTranscriptionApiKey).GetAudioClient(ai.TranscriptionModel))
            : new SpeechToText(null);
    }

    /// <summary>An OpenAI client on <paramref name="endpoint"/> with <paramref name="apiKey"/>, over the resilient HttpClient: Polly retries, the SDK does not.</summary>
    private static OpenAIClient OpenAiClient(IServiceProvider services, AiOptions ai, string endpoint, string? apiKey) =>
        new(
            new ApiKeyCredential(string.IsNullOrEmpty(apiKey) ? "no-key" : apiKey),
            new OpenAIClientOptions
            {
                Endpoint = new Uri(endpoint),
                Transport = new HttpClientPipelineTransport(services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName)),
                // Polly in the HttpClient does the retrying; the SDK's own retries would multiply it.
                RetryPolicy = new ClientRetryPolicy(0),
                NetworkTimeout = TimeSpan.FromSeconds(ai.ReplyTimeoutSeconds),
            });

    private static IChatClient CreateClient(IServiceProvider services)
    {
        var ai = services.GetRequiredService<IOptions<AiOptions>>().Value;
        if (ai.EffectiveProvider == AiProvider.Offline)
        {
            return new ChatClientBuilder(new OfflineChatClient()).UseOpenTelemetry(sourceName: TelemetrySource).Build(services);
        }

        var openAi = OpenAiClient(services, ai, ai.Endpoint!, ai.ApiKey);
        return new ChatClientBuilder(openAi.GetChatClient(ai.Model).AsIChatClient())
            .UseFunctionInvocation(configure: f => f.MaximumIterationsPerRequest = 4)
            .UseOpenTelemetry(sourceName: TelemetrySource) // inside function invocation: one measurement per model request
            .Build(services);
    }

    /// <summary>The delay a 429 or 503 asks for, when it asks for one we are willing to wait; otherwise null (use the backoff).</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response, double maxSeconds)
    {
        if (response is null || (response.StatusCode != HttpStatusCode.TooManyRequests && response.StatusCode != HttpStatusCode.ServiceUnavailable))
        {
            return null;
        }

        var retryAfter = response.Headers.RetryAfter;
        var delay = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return delay is { } d && d > TimeSpan.Zero && d.TotalSeconds <= maxSeconds ? d : null;
    }
}
