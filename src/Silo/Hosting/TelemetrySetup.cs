using Assistant.Metrics;
using Assistant.Models;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Assistant.Silo.Hosting;

public static class TelemetrySetup
{
    /// <summary>The meters <c>/metrics</c> shows: ours, the model client's, Orleans', the runtime's and ASP.NET Core's.</summary>
    public static readonly string[] Meters =
    [
        AssistantMetrics.MeterName,
        ModelServices.TelemetrySource,
        "Microsoft.Orleans",
        "System.Runtime",
        "Microsoft.AspNetCore.Hosting",
    ];

    /// <summary>
    /// OpenTelemetry metrics: a Prometheus scrape endpoint (mapped by <see cref="MapAssistantMetrics"/>)
    /// and, when <c>Telemetry:OtlpEndpoint</c> is set, periodic OTLP export.
    /// </summary>
    public static WebApplicationBuilder AddAssistantTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        var telemetry = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("assistant", serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters).AddPrometheusExporter();
                if (TelemetryOptionsValidator.OtlpUri(telemetry) is { } endpoint)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        exporter.Endpoint = endpoint;
                        exporter.Protocol = TelemetryOptionsValidator.IsHttp(telemetry) ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)(telemetry.OtlpExportIntervalSeconds * 1000);
                    });
                }
            });
        return builder;
    }

    /// <summary><c>GET /metrics</c> in the Prometheus text format.</summary>
    public static IEndpointConventionBuilder MapAssistantMetrics(this IEndpointRouteBuilder endpoints)
    {
        // Our instruments are created now, not by the first component that records one, so every
        // assistant_* series is on a silo's first scrape. The meter provider comes first: the
        // counters' starting zeros are recorded in the constructor and only count once it listens.
        endpoints.ServiceProvider.GetRequiredService<MeterProvider>();
        endpoints.ServiceProvider.GetRequiredService<AssistantMetrics>();
        return endpoints.MapPrometheusScrapingEndpoint("/metrics");
    }
}
