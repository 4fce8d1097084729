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
}
