using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Assistant.Health;

/// <summary>Healthy when this silo is Active in the cluster (not still joining, not shutting down).</summary>
public sealed class SiloActiveHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public const string Name = "silo_active";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"{silo.Name} is active")
            : HealthCheckResult.Unhealthy($"{silo.Name} is {status.ToString().ToLowerInvariant()}, not active in the cluster"));
    }
}
