using Assistant.Health;
using Assistant.Silos;
using Assistant.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Assistant.Monitoring;

public static class MonitoringServices
{
    /// <summary>The ResourceMonitor and what it uses on every silo: the sampler, alert delivery, throttling, the singleton keeper.</summary>
    public static IServiceCollection AddMonitoring(this IServiceCollection services)
    {
        services.AddOptions<MonitoringOptions>().BindConfiguration(MonitoringOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MonitoringOptions>, MonitoringOptionsValidator>();
        services.AddOptions<SingletonKeeperOptions>().BindConfiguration(SingletonKeeperOptions.Section)
            .Validate(o => o.Seconds > 0, "Cluster:Singletons:Seconds must be greater than 0").ValidateOnStart();
        services.AddSingleton<ReplyWindow>();
        services.AddSingleton<HealthHistoryStore>();
        services.TryAddSingleton<IResourceSampler, ProcessResourceSampler>();
        services.AddHttpClient(AlertNotifier.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan); // Monitoring:AlertDeliveryTimeoutSeconds bounds each delivery
        services.AddSingleton<AlertNotifier>();
        services.AddSingleton<ChatAdmission>();
        services.AddSingleton<ServerTasks>();
        services.Replace(ServiceDescriptor.Singleton<IServiceHealthSummary, MonitorHealthSummary>());
        services.AddHostedService<SingletonKeeper>();
        return services;
    }
}
