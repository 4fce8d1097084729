using System.ComponentModel;
using System.Globalization;
using Assistant.Health;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Assistant.Models;

/// <summary>The functions the model may call. Each call is counted per tool in the session statistics.</summary>
public sealed class BuiltInTools
{
    public const string CurrentTime = "current_time";
    public const string ServiceHealth = "service_health";

    /// <summary>The names of the tools above (metrics label tool calls by them).</summary>
    public static IReadOnlyList<string> Names { get; } = [CurrentTime, ServiceHealth];

    private readonly TimeProvider _time;
    private readonly IServiceHealthSummary _health;

    public BuiltInTools([FromKeyedServices(Clock.Key)] TimeProvider time, IServiceHealthSummary health)
    {
        _time = time;
        _health = health;
        All =
        [
            AIFunctionFactory.Create(GetCurrentTime, CurrentTime, "Returns the current date and time in UTC (ISO 8601) and the day of the week."),
            AIFunctionFactory.Create(GetServiceHealthAsync, ServiceHealth, "Returns a short summary of this assistant service's own health: score, memory, CPU, sessions and alerts."),
        ];
    }

    public IList<AITool> All { get; }

    private string GetCurrentTime()
    {
        var now = _time.GetUtcNow();
        return $"{now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} ({now.DayOfWeek.ToString()})";
    }

    private Task<string> GetServiceHealthAsync([Description("Unused.")] CancellationToken cancellationToken = default) =>
        _health.DescribeAsync(cancellationToken);
}
