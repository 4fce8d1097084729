namespace Assistant.Silo.Hosting;

/// <summary>Section <c>Telemetry</c>: metrics at <c>/metrics</c> always; OTLP export when an endpoint is set.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>An OpenTelemetry collector to push metrics to (e.g. <c>http://collector:4317</c>). Unset (default): no OTLP export.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default, port 4317) or <c>http/protobuf</c> (port 4318, path <c>/v1/metrics</c>).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Seconds between OTLP exports. Default 60.</summary>
    public double OtlpExportIntervalSeconds { get; set; } = 60;
}
