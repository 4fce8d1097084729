using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace Assistant.Silo.Hosting;

/// <summary>
/// Keeps secrets out of every log file: masks the configured bot token, API keys and webhook
/// secret, and anything shaped like a Telegram bot token, wherever they appear in an event: its
/// message template, every property of any type (strings, <see cref="Uri"/>s and other scalars,
/// structures, sequences, dictionaries), and its exception's text.
/// </summary>
public sealed partial class SecretRedactor(IConfiguration configuration)
{
    public const string Mask = "***";

    private static readonly string[] SecretKeys = ["Telegram:BotToken", "Telegram:WebhookSecret", "AI:ApiKey", "AI:TranscriptionApiKey", "Admin:ApiKey"];

    private static readonly MessageTemplateParser Parser = new();

    /// <summary>
    /// The text with every secret masked, as it is and percent-encoded (a request line carries a
    /// secret sent in a path or a query that way, <c>123456789%3AAAE...</c>, in either case); the same
    /// instance when there was nothing to mask.
    /// </summary>
    public string Redact(string text)
    {
        var result = text;
        foreach (var key in SecretKeys)
        {
            var secret = configuration[key];
            if (string.IsNullOrEmpty(secret) || secret.Length < 4)
            {
                continue;
            }

            if (result.Contains(secret, StringComparison.Ordinal))
            {
                result = result.Replace(secret, Mask, StringComparison.Ordinal);
            }

            if (Uri.EscapeDataString(secret) is var escaped && escaped != secret && result.Contains(escaped, StringComparison.OrdinalIgnoreCase))
            {
                result = result.Replace(escaped, Mask, StringComparison.OrdinalIgnoreCase);
            }
        }

        return BotToken().IsMatch(result) ? BotToken().Replace(result, Mask) : result;
    }

    /// <summary>The event with every secret masked; the same instance when there was nothing to mask.</summary>
    public LogEvent Redact(LogEvent logEvent)
    {
        var changed = false;
        var template = logEvent.MessageTemplate;
        var text = Redact(template.Text);
        if (!ReferenceEquals(text, template.Text))
        {
            template = Parser.Parse(text);
            changed = true;
        }

        var properties = new List<LogEventProperty>(logEvent.Properties.Count);
        foreach (var (name, value) in logEvent.Properties)
        {
            var clean = Redact(value);
            changed |= !ReferenceEquals(clean, value);
            properties.Add(new LogEventProperty(name, clean));
        }

        var exception = logEvent.Exception;
        if (exception is not null && Redact(exception.ToString()) is var shown && !ReferenceEquals(shown, exception.ToString()))
        {
            exception = new RedactedException(Redact(exception.Message), shown);
            changed = true;
        }

        if (!changed)
        {
            return logEvent;
        }

        return logEvent.TraceId is { } traceId
            ? new LogEvent(logEvent.Timestamp, logEvent.Level, exception, template, properties, traceId, logEvent.SpanId ?? default)
            : new LogEvent(logEvent.Timestamp, logEvent.Level, exception, template, properties);
    }

    private LogEventPropertyValue Redact(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: string text }:
                var clean = Redact(text);
                return ReferenceEquals(clean, text) ? value : new ScalarValue(clean);
            case ScalarValue { Value: not null and not ValueType } scalar:
                // A Uri, or anything else rendered through ToString(): masked as text when it holds a secret.
                var shown = scalar.Value.ToString() ?? "";
                var masked = Redact(shown);
                return ReferenceEquals(masked, shown) ? value : new ScalarValue(masked);
            case StructureValue structure:
                var fields = structure.Properties.Select(p => new LogEventProperty(p.Name, Redact(p.Value))).ToList();
                return fields.Zip(structure.Properties).All(p => ReferenceEquals(p.First.Value, p.Second.Value)) ? value : new StructureValue(fields, structure.TypeTag);
            case SequenceValue sequence:
                var elements = sequence.Elements.Select(Redact).ToList();
                return elements.Zip(sequence.Elements).All(p => ReferenceEquals(p.First, p.Second)) ? value : new SequenceValue(elements);
            case DictionaryValue dictionary:
                var pairs = dictionary.Elements.Select(p => new KeyValuePair<ScalarValue, LogEventPropertyValue>((ScalarValue)Redact(p.Key), Redact(p.Value))).ToList();
                return pairs.Zip(dictionary.Elements).All(p => ReferenceEquals(p.First.Key, p.Second.Key) && ReferenceEquals(p.First.Value, p.Second.Value)) ? value : new DictionaryValue(pairs);
            default:
                return value;
        }
    }

    [GeneratedRegex(@"\d{5,}(?::|%3[Aa])[A-Za-z0-9_-]{30,}")]
    private static partial Regex BotToken();

    /// <summary>Stands in for an exception whose text held a secret: shows the masked text, type and stack included.</summary>
    private sealed class RedactedException(string message, string text) : Exception(message)
    {
        public override string ToString() => text;
    }
}

/// <summary>Passes each event to the sinks it wraps with its secrets masked (<see cref="SecretRedactor"/>).</summary>
public sealed class RedactingSink(ILogEventSink inner, SecretRedactor redactor) : ILogEventSink, IDisposable, IAsyncDisposable
{
    public void Emit(LogEvent logEvent) => inner.Emit(redactor.Redact(logEvent));

    public void Dispose() => (inner as IDisposable)?.Dispose();

    public ValueTask DisposeAsync() => inner is IAsyncDisposable async ? async.DisposeAsync() : ValueTask.CompletedTask;
}
