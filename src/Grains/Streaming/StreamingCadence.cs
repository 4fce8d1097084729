namespace Assistant.Streaming;

/// <summary>
/// Decides when a channel should push the reply it is streaming: after enough time and enough
/// new text, with the interval widening as the reply grows, in group chats, after a rate-limit
/// answer and while CPU is high. The final text is always pushed by the channel, whatever this says.
/// </summary>
public sealed class StreamingCadence(StreamingCadenceOptions options)
{
    public TimeSpan IntervalFor(int replyLength, CadenceConditions conditions)
    {
        var ms = options.BaseIntervalMs + ((double)options.GrowthMsPerThousandChars * replyLength / 1000);
        ms = Math.Min(ms, Math.Max(options.BaseIntervalMs, options.MaxIntervalMs));
        if (conditions.GroupChat)
        {
            ms *= options.GroupFactor;
        }

        if (conditions.RecentlyRateLimited)
        {
            ms *= options.RateLimitedFactor;
        }

        if (conditions.HighCpu)
        {
            ms *= options.HighCpuFactor;
        }

        return TimeSpan.FromMilliseconds(ms);
    }

    public bool ShouldPush(TimeSpan sinceLastPush, int newChars, int replyLength, CadenceConditions conditions) =>
        newChars >= options.MinNewChars && sinceLastPush >= IntervalFor(replyLength, conditions);

    /// <summary>Whether the first part of a reply may be shown, <paramref name="sinceStart"/> after the work on it began.</summary>
    public bool ShouldPushFirst(TimeSpan sinceStart, int replyLength) =>
        replyLength >= options.MinNewChars && sinceStart >= TimeSpan.FromMilliseconds(options.FirstPushMs);
}
