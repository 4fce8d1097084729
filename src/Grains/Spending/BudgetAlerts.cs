using System.Globalization;
using Assistant.Monitoring;

namespace Assistant.Spending;

/// <summary>
/// The service's budget alerts, once per period each: <c>budget_warning</c> (medium) when what the
/// service spent reaches <c>Budgets:WarningPercent</c> (80) of <c>Budgets:GlobalDaily</c> or
/// <c>GlobalMonthly</c>, <c>budget_exhausted</c> (high) when that budget first refuses a turn.
/// Which were raised is kept with the service's spend (<see cref="SpendState.Alerted"/>), marked only
/// once the alert outbox took them; <c>raising</c> holds the ones being handed over, so two calls at once raise one.
/// </summary>
internal sealed class BudgetAlerts(BudgetOptions budgets, BudgetPeriods periods)
{
    public const string Warning = "budget_warning";
    public const string Exhausted = "budget_exhausted";

    /// <summary>The warnings the spend in <paramref name="state"/> now calls for, not yet raised (added to <paramref name="raising"/>).</summary>
    public IEnumerable<(string Mark, PerformanceAlert Alert)> AfterSpend(SpendState state, ISet<string> raising, DateTimeOffset now)
    {
        foreach (var (period, key, spent, limit, setting) in Periods(state))
        {
            var mark = $"{Warning}:{key}";
            if (limit > 0 && spent * 100 >= limit * budgets.WarningPercent && !state.Alerted.Contains(mark) && raising.Add(mark))
            {
                yield return (mark, new PerformanceAlert(Warning, AlertSeverity.Medium,
                    $"The service has spent US${Usd(spent)} of its {period} budget of US${Usd(limit)} ({spent / limit:P0}) on the model ({key}, {periods.ZoneName}).",
                    now, "cluster", null,
                    $"If this use is expected, raise {setting}; at the limit every message is refused until {Resets(period, now)}."));
            }
        }
    }

    /// <summary>The alert for a turn the <paramref name="period"/> budget refused, the first time in that period (added to <paramref name="raising"/>), else null.</summary>
    public (string Mark, PerformanceAlert Alert)? OnRefusal(SpendState state, ISet<string> raising, string period, DateTimeOffset now)
    {
        var (_, key, spent, limit, setting) = Periods(state).Single(p => p.Period == period);
        var mark = $"{Exhausted}:{key}";
        return !state.Alerted.Contains(mark) && raising.Add(mark)
            ? (mark, new PerformanceAlert(Exhausted, AlertSeverity.High,
                $"The service's {period} budget of US${Usd(limit)} is used (US${Usd(spent)} spent, the rest held by replies under way): messages are refused until {Resets(period, now)}.",
                now, "cluster", null, $"Raise {setting} and restart the silos to answer again before then."))
            : null;
    }

    /// <summary>Forgets the marks of periods that are over.</summary>
    public static void Forget(SpendState state) =>
        state.Alerted.RemoveWhere(mark => !mark.EndsWith(":" + state.Day, StringComparison.Ordinal) && !mark.EndsWith(":" + state.Month, StringComparison.Ordinal));

    private IEnumerable<(string Period, string Key, decimal Spent, decimal Limit, string Setting)> Periods(SpendState state) =>
    [
        ("daily", state.Day, state.Today.CostUsd, budgets.GlobalDaily, "Budgets:GlobalDaily"),
        ("monthly", state.Month, state.ThisMonth.CostUsd, budgets.GlobalMonthly, "Budgets:GlobalMonthly"),
    ];

    private string Resets(string period, DateTimeOffset now) =>
        $"{periods.InZone(period == "daily" ? periods.DayEnds(now) : periods.MonthEnds(now)):yyyy-MM-dd HH:mm} {periods.ZoneName}";

    private static string Usd(decimal usd) => usd.ToString("0.00", CultureInfo.InvariantCulture);
}
