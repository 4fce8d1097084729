using Assistant.IntegrationTests.Infrastructure;

namespace Assistant.IntegrationTests.Spending;

/// <summary>One silo with prices and a small daily budget per user, shared by the budget tests.</summary>
[CollectionDefinition(Name)]
public sealed class BudgetCollection : ICollectionFixture<BudgetFixture>
{
    public const string Name = "Budgets";
}

/// <summary>
/// Prices for the fake's models (US$1,000 per million tokens: a tenth of a cent each, so a few
/// short exchanges reach the budget) and a daily budget of US$0.20 per user, holding 20 output tokens
/// per turn; a fallback model priced far past any user's budget.
/// </summary>
public sealed class BudgetFixture : TelegramSiloFixture
{
    public const decimal PerToken = 0.001m;
    public const decimal UserDaily = 0.20m;
    public const string AdminKey = "budget-admin-key";
    public const long Bob = 1002;

    public HttpClient AdminClient() => ClientWithKey(AdminKey);

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["AI:Prices:fake-model:InputPerMillion"] = "1000";
        settings["AI:Prices:fake-model:OutputPerMillion"] = "1000";
        settings["AI:FallbackModels:0"] = "fake-backup";
        settings["AI:Prices:fake-backup:InputPerMillion"] = "1000000"; // a dollar a token: no call of it fits a user's day
        settings["AI:Prices:fake-backup:OutputPerMillion"] = "1000000";
        settings["Budgets:UserDaily"] = "0.20";
        settings["Budgets:ReserveOutputTokens"] = "20";
        settings["Sessions:Summaries"] = "false";
        settings["Admin:ApiKey"] = AdminKey;
        settings["Telegram:AllowedUsers:2"] = Bob.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
