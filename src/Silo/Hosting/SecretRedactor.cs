using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace Assistant.Silo.Hosting;

/// <summary>
/// Keeps secrets out of every log file: replaces the configured bot token, API keys and webhook
/// secret, and anything shaped like a Telegram bot token, in the properties of each event.
/// </summary>
public sealed partial class SecretRedactor(IConfiguration configuration) : ILogEventEnricher
{
    public const string Mask = "***";

    private static readonly string[] SecretKeys = ["Telegram:BotToken", "Telegram:WebhookSecret", "AI:ApiKey", "Admin:ApiKey"];

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? replaced = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (value is ScalarValue { Value: string text })
            {
                var clean = Redact(text);
                if (!ReferenceEquals(clean, text))
                {
                    (replaced ??= []).Add(new LogEventProperty(name, new ScalarValue(clean)));
                }
            }
        }

        foreach (var property in replaced ?? [])
        {
            logEvent.AddOrUpdateProperty(property);
        }
    }

    /// <summary>The text with every secret masked; the same instance when there was nothing to mask.</summary>
    public string Redact(string text)
    {
        var result = text;
        foreach (var key in SecretKeys)
        {
            var secret = configuration[key];
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 4 && result.Contains(secret, StringComparison.Ordinal))
            {
                result = result.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return BotToken().IsMatch(result) ? BotToken().Replace(result, Mask) : result;
    }

    [GeneratedRegex(@"\d{5,}:[A-Za-z0-9_-]{30,}")]
    private static partial Regex BotToken();
}
