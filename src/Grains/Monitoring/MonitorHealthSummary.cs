using Assistant.Silos;

namespace Assistant.Monitoring;

/// <summary>The health summary from the ResourceMonitor, for the model's health tool and /status.</summary>
public sealed class MonitorHealthSummary(IGrainFactory grains, ClusterRetry retry) : Health.IServiceHealthSummary
{
    public async Task<string> DescribeAsync(CancellationToken cancellationToken = default) =>
        await retry.CallAsync(() => grains.GetGrain<IResourceMonitorGrain>(0).GetSummaryAsync(), cancellationToken);
}
