using Microsoft.Extensions.Options;

namespace Assistant.Models;

public sealed class AiOptionsValidator : IValidateOptions<AiOptions>
{
    public ValidateOptionsResult Validate(string? name, AiOptions o)
    {
        var failures = new List<string>();
        if (o.EffectiveProvider == AiProvider.OpenAI)
        {
            if (!Uri.TryCreate(o.Endpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"AI:Endpoint must be an http(s) URL such as http://localhost:11434/v1 (was '{o.Endpoint}')");
            }

            if (string.IsNullOrWhiteSpace(o.Model))
            {
                failures.Add("AI:Model is required with the OpenAI provider (for example gpt-4o-mini or llama3.2)");
            }
        }

        failures.Positive("AI:TimeoutSeconds", o.TimeoutSeconds);

        if (o.ReplyTimeoutSeconds < o.TimeoutSeconds)
        {
            failures.Add($"AI:ReplyTimeoutSeconds ({o.ReplyTimeoutSeconds}) must be at least AI:TimeoutSeconds ({o.TimeoutSeconds})");
        }

        if (o.MaxRetries is < 0 or > 10)
        {
            failures.Add($"AI:MaxRetries must be between 0 and 10 (was {o.MaxRetries})");
        }

        if (o.RetryBaseDelaySeconds < 0 || o.MaxRetryAfterSeconds < 0)
        {
            failures.Add("AI:RetryBaseDelaySeconds and AI:MaxRetryAfterSeconds must not be negative");
        }

        failures.Positive("AI:MaxOutputTokens", o.MaxOutputTokens);
        if (o.Temperature is { } temperature && !(temperature >= 0 && temperature <= 2))
        {
            failures.Add($"AI:Temperature must be between 0 and 2, as OpenAI-compatible endpoints take it (was {o.Temperature}); leave it unset for the server's default");
        }

        if (!string.IsNullOrWhiteSpace(o.TranscriptionEndpoint)
            && (!Uri.TryCreate(o.TranscriptionEndpoint, UriKind.Absolute, out var speech) || (speech.Scheme != Uri.UriSchemeHttp && speech.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"AI:TranscriptionEndpoint must be an http(s) URL such as http://localhost:8000/v1 (was '{o.TranscriptionEndpoint}')");
        }

        if (string.IsNullOrWhiteSpace(o.TranscriptionModel))
        {
            failures.Add("AI:TranscriptionModel must name a speech-to-text model (default whisper-1)");
        }

        if (o.Models.Concat(o.FallbackModels).Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("AI:Models and AI:FallbackModels must name models (an entry is empty)");
        }

        foreach (var (model, price) in o.Prices)
        {
            if (price.InputPerMillion < 0 || price.OutputPerMillion < 0)
            {
                failures.Add($"AI:Prices:{model}:InputPerMillion and OutputPerMillion must not be negative (USD per million tokens)");
            }
        }

        foreach (var (persona, prompt) in o.Personas)
        {
            if (!ChatCatalog.IsPersonaName(persona) || persona == ChatCatalog.Custom)
            {
                failures.Add($"AI:Personas:{persona} is not a usable persona name: lower-case letters, digits, - and _, up to 32, and not '{ChatCatalog.Custom}'");
            }
            else if (string.IsNullOrWhiteSpace(prompt))
            {
                failures.Add($"AI:Personas:{persona} must hold the persona's system prompt");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
