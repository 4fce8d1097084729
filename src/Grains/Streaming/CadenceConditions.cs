namespace Assistant.Streaming;

/// <summary>What the cadence of one reply depends on besides its length.</summary>
public readonly record struct CadenceConditions(bool GroupChat = false, bool RecentlyRateLimited = false, bool HighCpu = false);
