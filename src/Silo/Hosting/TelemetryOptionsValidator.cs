using Microsoft.Extensions.Options;

namespace Assistant.Silo.Hosting;

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var errors = new List<string>();
        if (!string.IsNullOrEmpty(options.OtlpEndpoint) && OtlpUri(options) is null)
        {
            errors.Add($"Telemetry:OtlpEndpoint must be an absolute http(s) URL, not '{options.OtlpEndpoint}'");
        }

        if (options.OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            errors.Add($"Telemetry:OtlpProtocol must be 'grpc' or 'http/protobuf', not '{options.OtlpProtocol}'");
        }

        if (options.OtlpExportIntervalSeconds is < 1 or > 3600)
        {
            errors.Add("Telemetry:OtlpExportIntervalSeconds must be between 1 and 3600");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Where OTLP goes; for http/protobuf the metrics path is added when the endpoint has none.</summary>
    internal static Uri? OtlpUri(TelemetryOptions options)
    {
        if (!Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return null;
        }

        return IsHttp(options) && uri.AbsolutePath == "/" ? new Uri(uri, "/v1/metrics") : uri;
    }

    internal static bool IsHttp(TelemetryOptions options) => options.OtlpProtocol == "http/protobuf";
}
