using Assistant.Restarts;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Assistant.Health;

/// <summary>Unhealthy while this silo drains for a restart, so load balancers send traffic elsewhere.</summary>
public sealed class NotRestartingHealthCheck(RestartCoordinator restart) : IHealthCheck
{
    public const string Name = "not_restarting";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(restart.Draining ? HealthCheckResult.Unhealthy("this silo is draining for a restart") : HealthCheckResult.Healthy());
}
