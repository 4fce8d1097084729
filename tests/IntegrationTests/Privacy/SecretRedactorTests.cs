using Assistant.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace Assistant.IntegrationTests.Privacy;

/// <summary>The redactor masks secrets wherever an event carries them, as the file sinks render it.</summary>
public sealed class SecretRedactorTests
{
    private const string Token = "987654321:AAF-secret_token_abcdefghijklmnopqrstu";
    private const string ModelKey = "sk-model-key-0123456789abcdef";
    private const string AdminKey = "admin-key-that-is-long-enough";

    [Fact]
    public void Templates_properties_of_every_type_and_exceptions_are_masked()
    {
        var (logger, lines) = Logger();
        var uri = new Uri($"https://api.telegram.org/bot{Token}/getUpdates");
        logger.Information("Interpolated into the template: " + ModelKey);
        logger.Information("Calling {Uri}", uri);
        logger.Information("Settings {@Settings}", new { Endpoint = "http://model", ApiKey = ModelKey, Nested = new { Admin = AdminKey } });
        logger.Information("Keys {Keys}", new[] { "harmless", AdminKey });
        logger.Information("Headers {Headers}", new Dictionary<string, string> { ["Authorization"] = "Bearer " + ModelKey, [AdminKey] = "as a key" });
        logger.Error(new InvalidOperationException($"Incorrect API key provided: {ModelKey}", new HttpRequestException($"GET {uri} failed")), "The model failed");

        var text = string.Join("\n", lines);
        Assert.Equal(6, lines.Count);
        foreach (var secret in new[] { Token, ModelKey, AdminKey })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.Contains("Incorrect API key provided: ***", text, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.Contains("https://api.telegram.org/bot***/getUpdates", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_percent_encoded_in_a_request_line_is_masked_in_either_case_and_so_is_any_bot_token_shape()
    {
        var redactor = Redactor();
        Assert.Equal("GET /health?token=*** HTTP/1.1", redactor.Redact($"GET /health?token={Uri.EscapeDataString(Token)} HTTP/1.1"));
        Assert.Equal("GET /health?token=*** HTTP/1.1", redactor.Redact($"GET /health?token={Uri.EscapeDataString(Token).ToLowerInvariant()} HTTP/1.1"));
        Assert.Equal("GET /bot*** another", redactor.Redact("GET /bot111111111%3AAAE-someone_elses_token_abcdefghijklmn another")); // a token not configured, by its shape
    }

    [Fact]
    public void An_event_without_secrets_passes_unchanged()
    {
        var redactor = Redactor();
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null,
            new Serilog.Parsing.MessageTemplateParser().Parse("Nothing {Here}"), [new LogEventProperty("Here", new ScalarValue(new Uri("http://localhost/")))]);
        Assert.Same(logEvent, redactor.Redact(logEvent));
    }

    private static SecretRedactor Redactor() => new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Telegram:BotToken"] = Token,
        ["AI:ApiKey"] = ModelKey,
        ["Admin:ApiKey"] = AdminKey,
    }).Build());

    private static (Serilog.Core.Logger Logger, List<string> Lines) Logger()
    {
        var lines = new List<string>();
        var collector = new Collector(new MessageTemplateTextFormatter(LoggingSetup.Template), lines);
        var logger = new LoggerConfiguration().WriteTo.Sink(new RedactingSink(collector, Redactor())).CreateLogger();
        return (logger, lines);
    }

    private sealed class Collector(MessageTemplateTextFormatter formatter, List<string> lines) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            using var writer = new StringWriter();
            formatter.Format(logEvent, writer);
            lines.Add(writer.ToString());
        }
    }
}
