namespace Assistant.Telegram;

/// <summary>Exponential backoff with jitter: 1 s, 2 s, 4 s ... up to 30 s, each between half and all of that.</summary>
public static class Backoff
{
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    public static TimeSpan Jittered(int failures, double baseSeconds = 1)
    {
        var ceiling = Math.Min(Max.TotalSeconds, baseSeconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30)));
        return TimeSpan.FromSeconds(ceiling * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }
}
