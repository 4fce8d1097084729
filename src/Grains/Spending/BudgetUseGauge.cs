using System.Diagnostics.Metrics;
using Assistant.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Spending;

/// <summary>
/// <c>assistant_budget_used_ratio{scope="global_daily"|"global_monthly"}</c>: what the whole service
/// spent (with what turns in flight hold) of each global budget that is set, read from the service's
/// spend grain every <see cref="Period"/> on each silo, so every silo's scrape shows the cluster's figure.
/// Nothing is reported for a budget that is not set, before the first reading, nor after two failed ones in a row.
/// </summary>
internal sealed partial class BudgetUseGauge : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(15);

    private readonly IGrainFactory _grains;
    private readonly IOptions<BudgetOptions> _budgets;
    private readonly TimeProvider _time;
    private readonly ILogger<BudgetUseGauge> _logger;
    private volatile Measurement<double>[] _used = [];

    /// <param name="metrics">Created with the silo (this service starts with it), so the refusal counters start at 0 before a first turn.</param>
    public BudgetUseGauge(IGrainFactory grains, IOptions<BudgetOptions> budgets, IMeterFactory meters, SpendMetrics metrics, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Clock.Key)] TimeProvider time, ILogger<BudgetUseGauge> logger)
    {
        _ = metrics;
        (_grains, _budgets, _time, _logger) = (grains, budgets, time, logger);
        meters.Create(AssistantMetrics.MeterName).CreateObservableGauge(
            "assistant.budget.used_ratio", () => _used, description: "The share of each global budget (Budgets:GlobalDaily, GlobalMonthly) spent or held, by scope (global_daily, global_monthly); 1 is used up.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var limits = _budgets.Value.Global;
        if (!limits.Any)
        {
            return;
        }

        using var timer = new PeriodicTimer(Period, _time);
        var failures = 0;
        while (await WaitAsync(timer, stoppingToken)) // the first reading a period after the start, once the silo takes calls
        {
            try
            {
                var report = await _grains.GetGrain<ISpendGrain>(Spender.Global).ReadAsync().WaitAsync(stoppingToken);
                _used = [.. Used("global_daily", report.Today.CostUsd + report.Held, limits.Daily), .. Used("global_monthly", report.ThisMonth.CostUsd + report.Held, limits.Monthly)];
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // One miss keeps the last figure (an alert on it keeps its clock); two in a row leave none
                // rather than an old one, which may be from a day that has ended.
                if (++failures >= 2)
                {
                    _used = [];
                }

                if (failures == 2)
                {
                    LogUnread(_logger, failures, ex.Message); // once a run of failures
                }

                continue;
            }

            failures = 0;
        }
    }

    private static IEnumerable<Measurement<double>> Used(string scope, decimal spent, decimal limit) =>
        limit > 0 ? [new Measurement<double>((double)(spent / limit), new KeyValuePair<string, object?>("scope", scope))] : [];

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The service's spend could not be read for assistant_budget_used_ratio {Failures} times in a row ({Error}); the gauge shows nothing until it can, and this is not said again until it could")]
    private static partial void LogUnread(ILogger logger, int failures, string error);
}
