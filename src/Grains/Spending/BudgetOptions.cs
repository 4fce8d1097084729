using System.ComponentModel.DataAnnotations;

namespace Assistant.Spending;

/// <summary>
/// Spending limits in USD (<c>Budgets</c>): per user and for the whole service, per day and per
/// month, 0 for none. A turn is admitted only while what was spent, what turns in flight hold and
/// its own hold stay within each limit that applies.
/// </summary>
public sealed class BudgetOptions
{
    public const string Section = "Budgets";

    [Range(0, 1_000_000_000, ErrorMessage = "Budgets:UserDaily must be 0 (no limit) or more USD")]
    public decimal UserDaily { get; set; }

    [Range(0, 1_000_000_000, ErrorMessage = "Budgets:UserMonthly must be 0 (no limit) or more USD")]
    public decimal UserMonthly { get; set; }

    [Range(0, 1_000_000_000, ErrorMessage = "Budgets:GlobalDaily must be 0 (no limit) or more USD")]
    public decimal GlobalDaily { get; set; }

    [Range(0, 1_000_000_000, ErrorMessage = "Budgets:GlobalMonthly must be 0 (no limit) or more USD")]
    public decimal GlobalMonthly { get; set; }

    /// <summary>The share of <see cref="GlobalDaily"/> or <see cref="GlobalMonthly"/> spent at which <c>budget_warning</c> is raised, in percent. Default 80.</summary>
    [Range(1, 100, ErrorMessage = "Budgets:WarningPercent must be between 1 and 100")]
    public int WarningPercent { get; set; } = 80;

    /// <summary>The output tokens a turn holds budget for, besides its prompt's, until its real cost is known. Default 500.</summary>
    [Range(0, 1_000_000, ErrorMessage = "Budgets:ReserveOutputTokens must be between 0 and 1000000")]
    public int ReserveOutputTokens { get; set; } = 500;

    /// <summary>The time zone days and months are counted in (an IANA or Windows id). Default UTC.</summary>
    [Required(ErrorMessage = "Budgets:TimeZone must name a time zone, such as UTC or Europe/Berlin")]
    public string TimeZone { get; set; } = "UTC";

    public SpendLimits User => new(UserDaily, UserMonthly);

    public SpendLimits Global => new(GlobalDaily, GlobalMonthly);
}
