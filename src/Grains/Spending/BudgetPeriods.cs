using System.Globalization;
using Microsoft.Extensions.Options;

namespace Assistant.Spending;

/// <summary>The day and month a moment falls in, in <c>Budgets:TimeZone</c>, and when they end.</summary>
public sealed class BudgetPeriods(IOptions<BudgetOptions> options)
{
    private readonly TimeZoneInfo _zone = Find(options.Value.TimeZone)
        ?? throw new OptionsValidationException(BudgetOptions.Section, typeof(BudgetOptions), [$"Budgets:TimeZone '{options.Value.TimeZone}' is not a time zone this machine knows (try UTC or Europe/Berlin)"]);

    public string ZoneName => _zone.Id;

    /// <summary><paramref name="at"/> in the budgets' time zone.</summary>
    public DateTimeOffset InZone(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, _zone);

    public string Day(DateTimeOffset at) => Local(at).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public string Month(DateTimeOffset at) => Local(at).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>When the day <paramref name="at"/> falls in ends (the next local midnight).</summary>
    public DateTimeOffset DayEnds(DateTimeOffset at) => Utc(Local(at).Date.AddDays(1));

    /// <summary>When the month <paramref name="at"/> falls in ends.</summary>
    public DateTimeOffset MonthEnds(DateTimeOffset at)
    {
        var local = Local(at);
        return Utc(new DateTime(local.Year, local.Month, 1).AddMonths(1));
    }

    public static TimeZoneInfo? Find(string? id)
    {
        try
        {
            return string.IsNullOrWhiteSpace(id) ? null : TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    private DateTime Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, _zone).DateTime;

    private DateTimeOffset Utc(DateTime local) =>
        new(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(_zone.IsInvalidTime(local) ? local.AddHours(1) : local, DateTimeKind.Unspecified), _zone), TimeSpan.Zero);
}
