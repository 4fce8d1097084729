namespace Assistant.Access;

/// <summary>
/// One user's messages to the model in the last minute, against their role's <c>MessagesPerMinute</c>.
/// Each message is decided once (a retried turn asks again and gets the same answer); over the rate,
/// the first refusal in a minute says "slow down" and the rest are quiet. Kept in memory: a restart
/// of the user's grain forgets at most a minute.
/// </summary>
internal sealed class MessagePace
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Queue<DateTimeOffset> _admitted = new();
    private readonly Dictionary<long, (Pace Pace, DateTimeOffset At)> _decided = [];
    private DateTimeOffset _toldAt = DateTimeOffset.MinValue;

    public Pace Admit(long updateId, int perMinute, DateTimeOffset now)
    {
        while (_admitted.TryPeek(out var at) && now - at >= Window)
        {
            _admitted.Dequeue();
        }

        foreach (var stale in _decided.Where(d => now - d.Value.At >= Window).Select(d => d.Key).ToList())
        {
            _decided.Remove(stale);
        }

        if (_decided.TryGetValue(updateId, out var decided))
        {
            return decided.Pace;
        }

        Pace pace;
        if (perMinute <= 0 || _admitted.Count < perMinute)
        {
            _admitted.Enqueue(now);
            pace = Pace.Within;
        }
        else if (now - _toldAt >= Window)
        {
            _toldAt = now;
            pace = Pace.SlowDown;
        }
        else
        {
            pace = Pace.Quiet;
        }

        _decided[updateId] = (pace, now);
        return pace;
    }
}
