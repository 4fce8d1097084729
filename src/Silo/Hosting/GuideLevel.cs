using Serilog.Core;
using Serilog.Events;

namespace Assistant.Silo.Hosting;

/// <summary>
/// The level as the operations guide writes it and greps for it (<c>grep -E "(ERROR|WARNING|CRITICAL)"</c>):
/// DEBUG, INFO, WARNING, ERROR, CRITICAL, in the property <c>GuideLevel</c>; and the guide's marker
/// for warnings (⚠️) and errors (❌) in <c>GuideMarker</c>, which the template puts before the message.
/// The other categories' markers (🚀 start-up, 💓 health check, 🔄 resource management, 🛑 shutdown)
/// open the message texts themselves, where the code says what a line is about. An error of one of
/// the guide's common patterns opens with it after the marker (<c>❌ TimeoutError: ...</c>), as
/// <see cref="Logs.ErrorCategory"/> tells from the exception or the failure the line names.
/// </summary>
public sealed class GuideLevel : ILogEventEnricher
{
    public const string Property = "GuideLevel";

    public const string MarkerProperty = "GuideMarker";

    private static readonly LogEventProperty[] Words =
    [
        new(Property, new ScalarValue("DEBUG")),    // Verbose
        new(Property, new ScalarValue("DEBUG")),    // Debug
        new(Property, new ScalarValue("INFO")),     // Information
        new(Property, new ScalarValue("WARNING")),  // Warning
        new(Property, new ScalarValue("ERROR")),    // Error
        new(Property, new ScalarValue("CRITICAL")), // Fatal
    ];

    private static readonly LogEventProperty[] Markers =
    [
        new(MarkerProperty, new ScalarValue(string.Empty)),
        new(MarkerProperty, new ScalarValue(string.Empty)),
        new(MarkerProperty, new ScalarValue(string.Empty)),
        new(MarkerProperty, new ScalarValue("⚠️ ")),
        new(MarkerProperty, new ScalarValue("❌ ")),
        new(MarkerProperty, new ScalarValue("❌ ")),
    ];

    private static readonly Dictionary<string, LogEventProperty> Categorised =
        Logs.ErrorCategory.All.ToDictionary(c => c, c => new LogEventProperty(MarkerProperty, new ScalarValue($"❌ {c}: ")));

    /// <summary>The properties that name a failure where a line has no exception, in the order they are looked at.</summary>
    private static readonly string[] FailureProperties = ["Kind", "Failure", "Reason", "Error", "Refusal", "EventName"]; // EventName: Polly's OnTimeout

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        logEvent.AddOrUpdateProperty(Words[(int)logEvent.Level]);
        logEvent.AddOrUpdateProperty(logEvent.Level >= LogEventLevel.Error && Category(logEvent) is { } category ? Categorised[category] : Markers[(int)logEvent.Level]);
    }

    private static string? Category(LogEvent logEvent)
    {
        if (Logs.ErrorCategory.Of(logEvent.Exception) is { } fromException)
        {
            return fromException;
        }

        foreach (var name in FailureProperties)
        {
            if (logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: string text } && Logs.ErrorCategory.Of(text) is { } fromText)
            {
                return fromText;
            }
        }

        return null;
    }
}
