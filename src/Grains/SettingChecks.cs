namespace Assistant;

/// <summary>Checks the options validators share; each failure names the setting and the value it had.</summary>
public static class SettingChecks
{
    /// <summary>Adds "<paramref name="key"/> must be greater than 0 (was ...)" unless <paramref name="value"/> is.</summary>
    public static void Positive(this List<string> failures, string key, double value)
    {
        if (value <= 0)
        {
            failures.Add($"{key} must be greater than 0 (was {value})");
        }
    }

    /// <summary>A share of something whole: more than 0, at most 100.</summary>
    public static void Percent(this List<string> failures, string key, double value)
    {
        if (value is <= 0 or > 100)
        {
            failures.Add($"{key} must be a percentage above 0 and at most 100 (was {value})");
        }
    }

    public static void NotNegative(this List<string> failures, string key, double value)
    {
        if (value < 0)
        {
            failures.Add($"{key} must not be negative (was {value})");
        }
    }
}
