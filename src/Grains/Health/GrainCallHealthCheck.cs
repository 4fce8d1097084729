using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Assistant.Health;

/// <summary>Healthy when this silo can run a real grain call.</summary>
public sealed class GrainCallHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public const string Name = "grain_call";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var reply = await grains.GetGrain<IPingGrain>(0).PingAsync().WaitAsync(cancellationToken);
        return HealthCheckResult.Healthy($"grain call answered by {reply.Silo}");
    }
}
