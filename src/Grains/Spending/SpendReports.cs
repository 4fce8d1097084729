using System.Globalization;
using Microsoft.Extensions.Options;

namespace Assistant.Spending;

/// <summary>A spender's use of the model in words (<c>/usage</c>): tokens and cost today and this month, the limits and when they reset.</summary>
internal sealed class SpendReports(
    IGrainFactory grains,
    BudgetPeriods periods,
    IOptions<BudgetOptions> budgets,
    [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Clock.Key)] TimeProvider time)
{
    /// <param name="limits">The spender's own limits (their role's, or their quota); null: <c>Budgets:UserDaily</c> and <c>UserMonthly</c>.</param>
    public async Task<string> DescribeAsync(string spender, SpendLimits? limits = null)
    {
        var report = await grains.GetGrain<ISpendGrain>(spender).ReadAsync();
        var now = time.GetUtcNow();
        limits ??= budgets.Value.User;
        return $"Your use of the model (days and months in {periods.ZoneName}):\n" +
            Line($"Today ({report.Day})", report.Today, limits.Daily, periods.DayEnds(now)) + "\n" +
            Line($"This month ({report.Month})", report.ThisMonth, limits.Monthly, periods.MonthEnds(now)) +
            (report.Held > 0 ? $"\nA reply under way holds US${Usd(report.Held)} of it until its cost is known." : "");
    }

    private string Line(string period, SpendTotals totals, decimal limit, DateTimeOffset resets) =>
        $"{period}: {totals.Calls} model calls, {Count(totals.InputTokens)} tokens in and {Count(totals.OutputTokens)} out, US${Usd(totals.CostUsd)}" +
        (limit > 0 ? $" of your US${Usd(limit)} limit, which resets {periods.InZone(resets):yyyy-MM-dd HH:mm}." : " (no limit).");

    private static string Usd(decimal usd) => usd.ToString("0.00##", CultureInfo.InvariantCulture);

    private static string Count(long tokens) => tokens.ToString("N0", CultureInfo.InvariantCulture);
}
