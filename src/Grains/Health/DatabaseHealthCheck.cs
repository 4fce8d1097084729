using Assistant.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Assistant.Health;

/// <summary>Healthy when the database answers a query.</summary>
public sealed class DatabaseHealthCheck(Database database) : IHealthCheck
{
    public const string Name = "database";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await database.PingAsync(cancellationToken);
        return HealthCheckResult.Healthy();
    }
}
