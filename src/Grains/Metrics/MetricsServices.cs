using Microsoft.Extensions.DependencyInjection;

namespace Assistant.Metrics;

public static class MetricsServices
{
    /// <summary>The <c>Assistant</c> meter's instruments; the Silo exports them with OpenTelemetry.</summary>
    public static IServiceCollection AddAssistantMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<AssistantMetrics>();
        services.AddSingleton<MemoryMetrics>();
        services.AddSingleton<SpendMetrics>();
        return services;
    }

    /// <summary>Counts this client's answers as <paramref name="upstream"/> (see <see cref="UpstreamMeter"/>).</summary>
    public static IHttpClientBuilder AddUpstreamMeter(this IHttpClientBuilder builder, string upstream) =>
        builder.AddHttpMessageHandler(sp => new UpstreamMeter(sp.GetRequiredService<AssistantMetrics>(), upstream));
}
