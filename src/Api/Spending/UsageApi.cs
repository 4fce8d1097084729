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
/// budgets; with <c>?spender=</c> (<c>tg-user:ID</c>, <c>tg-chat:ID</c>, <c>api:SESSION</c>) also that spender's.
/// </summary>
public static class UsageApi
{
    public static void MapUsageApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/usage", GetAsync).WithTags("Usage").RequireAdminKeyWhenConfigured().ProducesValidationProblem();

    internal static async Task<Results<Ok<UsageResponse>, ValidationProblem>> GetAsync(
        IGrainFactory grains,
        ClusterRetry retry,
        BudgetPeriods periods,
        IOptions<BudgetOptions> budgets,
        [FromKeyedServices(Clock.Key)] TimeProvider time,
        CancellationToken cancellationToken,
        string? spender = null)
    {
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
            one = SpendFigures.From(spender, report, budgets.Value.User);
        }

        return TypedResults.Ok(new UsageResponse(
            periods.ZoneName, global.Day, global.Month, periods.DayEnds(now), periods.MonthEnds(now),
            SpendFigures.From(Spender.Global, global, budgets.Value.Global), one));
    }
}

/// <summary>The body of <c>GET /usage</c>.</summary>
public sealed record UsageResponse(string TimeZone, string Day, string Month, DateTimeOffset DayResetsAt, DateTimeOffset MonthResetsAt, SpendFigures Global, SpendFigures? Spender);

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
