using Serilog.Core;
using Serilog.Events;

namespace Assistant.Silo.Hosting;

/// <summary>
/// The level as the operations guide writes it and greps for it (<c>grep -E "(ERROR|WARNING|CRITICAL)"</c>):
/// DEBUG, INFO, WARNING, ERROR, CRITICAL, in the property <c>GuideLevel</c>; and the guide's marker
/// for warnings (⚠️) and errors (❌) in <c>GuideMarker</c>, which the template puts before the message.
/// The other categories' markers (🚀 start-up, 💓 health check, 🔄 resource management, 🛑 shutdown)
/// open the message texts themselves, where the code says what a line is about.
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

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        logEvent.AddOrUpdateProperty(Words[(int)logEvent.Level]);
        logEvent.AddOrUpdateProperty(Markers[(int)logEvent.Level]);
    }
}
