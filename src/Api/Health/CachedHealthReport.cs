using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Health;

/// <summary>
/// The checks behind <c>GET /health</c> (a grain call and a database query), run at most once per
/// <c>Health:CacheSeconds</c>: load balancers and monitors may probe thousands of times a second,
/// and each probe should not cost the database a query. Concurrent probes share the check in flight.
/// </summary>
public sealed class CachedHealthReport(HealthCheckService checks, IOptions<Assistant.Health.HealthOptions> options, [FromKeyedServices(Clock.Key)] TimeProvider time)
{
    private readonly object _sync = new();
    private Task<HealthReport>? _report;
    private long _startedAt;

    public Task<HealthReport> GetAsync()
    {
        lock (_sync)
        {
            if (_report is { } report && (!report.IsCompleted || time.GetElapsedTime(_startedAt).TotalSeconds < options.Value.CacheSeconds))
            {
                return report;
            }

            _startedAt = time.GetTimestamp();
            return _report = checks.CheckHealthAsync(r => r.Tags.Contains(HealthApi.HealthTag), CancellationToken.None);
        }
    }
}
