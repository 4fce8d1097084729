using Assistant.Api.Admin;
using Assistant.Silos;
using Assistant.Spending;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Api.Spending;

/// <summary>
/// <c>GET /usage</c>: what the model cost the whole service today and this month, against the global
/// budgets; with <c>?spender=</c> (<c>tg-user:ID</c>, <c>tg-chat:ID</c>, <c>api:SESSION</c>) also that
/// spender's; with <c>?top=N</c> the N who spent most this month, only for a caller with the admin key
/// (their keys are Telegram user ids).
/// </summary>
public static class UsageApi
{
    public static void MapUsageApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/usage", GetAsync).WithTags("Usage").RequireAdminKeyWhenConfigured().ProducesValidationProblem();

    internal static async Task<Results<Ok<UsageResponse>, ValidationProblem>> GetAsync(
        HttpContext context,
        IGrainFactory grains,
        SpendReports reports,
        ClusterRetry retry,
        BudgetPeriods periods,
        IOptions<BudgetOptions> budgets,
        [FromKeyedServices(Clock.Key)] TimeProvider time,
        CancellationToken cancellationToken,
        string? spender = null,
        int top = 0)
    {
        if (top is < 0 or > 100)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["top"] = ["Ask for 0 to 100 top spenders."] });
        }

        if (spender is not null && (spender.Length is 0 or > 200 || spender == Spender.Global))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["spender"] = ["Name a spender: tg-user:ID, tg-chat:ID or api:SESSION (at most 200 characters)."] });
        }

        var now = time.GetUtcNow();
        var global = await retry.CallAsync(() => grains.GetGrain<ISpendGrain>(Spender.Global).ReadAsync(), cancellationToken);
        SpendFigures? one = null;
        if (spender is not null)
        {
            var report = await retry.CallAsync(() => grains.GetGrain<ISpendGrain>(spender).ReadAsync(), cancellationToken);
            one = SpendFigures.From(spender, report, await retry.CallAsync(() => reports.LimitsOfAsync(spender), cancellationToken));
        }

        IReadOnlyList<SpendFigures>? users = null;
        if (top > 0 && context.User.Identity?.IsAuthenticated == true)
        {
            var rows = await retry.CallAsync(() => reports.TopAsync(top), cancellationToken);
            users = [.. rows.Select(r => SpendFigures.From(r.Spender, r.Report, r.Limits))];
        }

        return TypedResults.Ok(new UsageResponse(
            periods.ZoneName, global.Day, global.Month, periods.DayEnds(now), periods.MonthEnds(now),
            SpendFigures.From(Spender.Global, global, budgets.Value.Global), one, users));
    }
}

/// <summary>The body of <c>GET /usage</c>.</summary>
/// <param name="Top">The top spenders this month, most first: only with <c>?top=N</c> and the admin key.</param>
public sealed record UsageResponse(string TimeZone, string Day, string Month, DateTimeOffset DayResetsAt, DateTimeOffset MonthResetsAt, SpendFigures Global, SpendFigures? Spender, IReadOnlyList<SpendFigures>? Top = null);

/// <summary>One spender's figures; a limit of 0 is none.</summary>
public sealed record SpendFigures(string Spender, PeriodFigures Today, PeriodFigures ThisMonth, decimal HeldUsd, decimal DailyLimitUsd, decimal MonthlyLimitUsd, IReadOnlyList<ModelFigures> ThisMonthByModel)
{
    public static SpendFigures From(string spender, SpendReport report, SpendLimits limits) => new(
        spender, PeriodFigures.From(report.Today), PeriodFigures.From(report.ThisMonth), report.Held, limits.Daily, limits.Monthly,
        [.. report.ThisMonthByModel.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new ModelFigures(m.Key, PeriodFigures.From(m.Value)))]);
}

public sealed record PeriodFigures(int Calls, long InputTokens, long OutputTokens, decimal CostUsd)
{
    public static PeriodFigures From(SpendTotals totals) => new(totals.Calls, totals.InputTokens, totals.OutputTokens, totals.CostUsd);
}

public sealed record ModelFigures(string Model, PeriodFigures Figures);
