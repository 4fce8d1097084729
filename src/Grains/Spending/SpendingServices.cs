using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Spending;

public static class SpendingServices
{
    /// <summary>Budgets (<c>Budgets</c>, validated at start, naming the key), prices, and each turn's hold on them.</summary>
    public static IServiceCollection AddSpending(this IServiceCollection services)
    {
        services.AddOptions<BudgetOptions>().BindConfiguration(BudgetOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => BudgetPeriods.Find(o.TimeZone) is not null, "Budgets:TimeZone must name a time zone this machine knows, such as UTC or Europe/Berlin")
            .ValidateOnStart();
        services.AddSingleton<BudgetPeriods>();
        services.AddSingleton<ModelPrices>();
        services.AddSingleton<TurnSpending>();
        services.AddSingleton<SpendReports>();
        services.AddHostedService<BudgetUseGauge>();
        return services;
    }
}
