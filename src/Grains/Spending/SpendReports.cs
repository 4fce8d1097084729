using System.Globalization;
using Microsoft.Extensions.Options;

namespace Assistant.Spending;

/// <summary>
/// A spender's use of the model in words (<c>/usage</c>): tokens and cost today and this month, the
/// limits and when they reset; and the service's with its top spenders this month (<c>/usage all</c>).
/// </summary>
public sealed class SpendReports(
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

    /// <summary>The <paramref name="count"/> spenders who spent most this month, most first, with their limits.</summary>
    public async Task<IReadOnlyList<(string Spender, SpendReport Report, SpendLimits Limits)>> TopAsync(int count)
    {
        var month = periods.Month(time.GetUtcNow());
        var spenders = await grains.GetGrain<ISpenderListGrain>(0).ReadAsync(month);
        var reports = new List<(string Spender, SpendReport Report)>(spenders.Count);
        foreach (var batch in spenders.Chunk(50)) // not every spender's grain woken at once
        {
            reports.AddRange(await Task.WhenAll(batch.Select(async s => (Spender: s, Report: await grains.GetGrain<ISpendGrain>(s).ReadAsync()))));
        }

        var top = reports.Where(r => r.Report.Month == month).OrderByDescending(r => r.Report.ThisMonth.CostUsd).ThenBy(r => r.Spender, StringComparer.Ordinal).Take(count).ToList();
        return await Task.WhenAll(top.Select(async r => (r.Spender, r.Report, await LimitsOfAsync(r.Spender))));
    }

    /// <summary>A spender's limits: a Telegram user's from their role and quota, anyone else's <c>Budgets:User*</c>.</summary>
    public async Task<SpendLimits> LimitsOfAsync(string spender) =>
        spender.StartsWith("tg-user:", StringComparison.Ordinal) && long.TryParse(spender.AsSpan(8), NumberStyles.Integer, CultureInfo.InvariantCulture, out var user)
            ? (await grains.GetGrain<Access.IUserAccessGrain>(user).AdmitAsync(0, DateTimeOffset.MinValue, counts: false)).Limits
            : budgets.Value.User;

    /// <summary><c>/usage all</c>: the service's use today and this month against the global budgets, and the top ten spenders this month.</summary>
    public async Task<string> DescribeAllAsync()
    {
        var service = await grains.GetGrain<ISpendGrain>(Spender.Global).ReadAsync();
        var now = time.GetUtcNow();
        var limits = budgets.Value.Global;
        var top = await TopAsync(10);
        return $"The service's use of the model (days and months in {periods.ZoneName}):\n" +
            Line($"Today ({service.Day})", service.Today, limits.Daily, periods.DayEnds(now), "its") + "\n" +
            Line($"This month ({service.Month})", service.ThisMonth, limits.Monthly, periods.MonthEnds(now), "its") +
            (service.Held > 0 ? $"\nReplies under way hold US${Usd(service.Held)}." : "") +
            (top.Count == 0 ? "\nNo one has spent anything this month." :
                "\n\nTop spenders this month:\n" + string.Join("\n", top.Select((t, i) =>
                    $"{i + 1}. {t.Spender}: US${Usd(t.Report.ThisMonth.CostUsd)} ({t.Report.ThisMonth.Calls} calls), today US${Usd(t.Report.Today.CostUsd)}" +
                    (t.Limits.Daily > 0 ? $" of US${Usd(t.Limits.Daily)}" : ""))));
    }

    private string Line(string period, SpendTotals totals, decimal limit, DateTimeOffset resets, string whose = "your") =>
        $"{period}: {totals.Calls} model calls, {Count(totals.InputTokens)} tokens in and {Count(totals.OutputTokens)} out, US${Usd(totals.CostUsd)}" +
        (limit > 0 ? $" of {whose} US${Usd(limit)} limit, which resets {periods.InZone(resets):yyyy-MM-dd HH:mm}." : " (no limit).");

    private static string Usd(decimal usd) => usd.ToString("0.00##", CultureInfo.InvariantCulture);

    private static string Count(long tokens) => tokens.ToString("N0", CultureInfo.InvariantCulture);
}
