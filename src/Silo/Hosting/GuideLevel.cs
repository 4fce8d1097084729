using Serilog.Core;
using Serilog.Events;

namespace Assistant.Silo.Hosting;

/// <summary>
/// The level as the operations guide writes it and greps for it (<c>grep -E "(ERROR|WARNING|CRITICAL)"</c>):
/// DEBUG, INFO, WARNING, ERROR, CRITICAL, in the property <c>GuideLevel</c> the log template shows.
/// </summary>
public sealed class GuideLevel : ILogEventEnricher
{
    public const string Property = "GuideLevel";

    private static readonly LogEventProperty[] Words =
    [
        new(Property, new ScalarValue("DEBUG")),    // Verbose
        new(Property, new ScalarValue("DEBUG")),    // Debug
        new(Property, new ScalarValue("INFO")),     // Information
        new(Property, new ScalarValue("WARNING")),  // Warning
        new(Property, new ScalarValue("ERROR")),    // Error
        new(Property, new ScalarValue("CRITICAL")), // Fatal
    ];

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) =>
        logEvent.AddOrUpdateProperty(Words[(int)logEvent.Level]);
}
