namespace Assistant.Sessions;

/// <summary>The buckets of the session-duration distribution in the sessions report.</summary>
public static class SessionDurations
{
    private static readonly (TimeSpan Below, string Label)[] Bounds =
    [
        (TimeSpan.FromMinutes(1), "under_1m"),
        (TimeSpan.FromMinutes(5), "1m_to_5m"),
        (TimeSpan.FromMinutes(15), "5m_to_15m"),
        (TimeSpan.FromHours(1), "15m_to_1h"),
        (TimeSpan.FromHours(6), "1h_to_6h"),
        (TimeSpan.FromHours(24), "6h_to_24h"),
    ];

    public const string Longest = "over_24h";

    /// <summary>Every label, shortest first, so a report lists empty buckets too.</summary>
    public static IReadOnlyList<string> Labels { get; } = [.. Bounds.Select(b => b.Label), Longest];

    public static string BucketOf(TimeSpan duration)
    {
        foreach (var (below, label) in Bounds)
        {
            if (duration < below)
            {
                return label;
            }
        }

        return Longest;
    }
}
