using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Assistant.Health;

/// <summary>The health summary from this silo's health checks (grain call, database).</summary>
public sealed class HealthCheckSummary(HealthCheckService checks) : IServiceHealthSummary
{
    public async Task<string> DescribeAsync(CancellationToken cancellationToken = default)
    {
        var report = await checks.CheckHealthAsync(cancellationToken);
        var parts = report.Entries.Select(e => $"{e.Key}: {e.Value.Status.ToString().ToLowerInvariant()}");
        return $"status: {report.Status.ToString().ToLowerInvariant()}; {string.Join("; ", parts)}";
    }
}
