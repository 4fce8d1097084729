using System.Text.Json;
using System.Text.Json.Serialization;

namespace Assistant.Monitoring;

/// <summary>The JSON an alert webhook receives (snake_case, as the HTTP API).</summary>
public sealed record AlertPayload(
    string AlertType,
    string Severity,
    string Message,
    DateTimeOffset Timestamp,
    string Silo,
    ResourceSnapshot? ResourceSnapshot,
    string RecommendedAction)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static AlertPayload From(PerformanceAlert alert) => new(
        alert.AlertType, alert.Severity.ToString().ToLowerInvariant(), alert.Message, alert.Timestamp, alert.Silo, alert.ResourceSnapshot, alert.RecommendedAction);
}
