namespace Assistant.Access;

/// <summary>
/// One user's messages to the model per minute, against their role's <c>MessagesPerMinute</c>,
/// counted by when they were sent, not answered: a backlog answered at once after an outage is not
/// taken for a burst. Each message is decided once (a retried turn asks again and gets the same
/// answer); over the rate, the first refusal in a minute says "slow down" and the rest are quiet.
/// Kept in memory: a restart of the user's grain forgets the last minutes, which only admits more.
/// </summary>
internal sealed class MessagePace
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Kept = TimeSpan.FromMinutes(10);
    private readonly Dictionary<long, (Pace Pace, DateTimeOffset SentAt)> _decided = [];
    private DateTimeOffset _toldAt = DateTimeOffset.MinValue;
    private DateTimeOffset _newest = DateTimeOffset.MinValue;

    /// <param name="updateId">The message, so that asking again about it gets the same answer.</param>
    /// <param name="sentAt">When the user sent it: the minute before it is what counts.</param>
    public Pace Admit(long updateId, int perMinute, DateTimeOffset sentAt, DateTimeOffset now)
    {
        // Forgotten by send time, not by the clock: a backlog answered long after it was sent is still counted.
        _newest = sentAt > _newest ? sentAt : _newest;
        foreach (var stale in _decided.Where(d => _newest - d.Value.SentAt >= Kept).Select(d => d.Key).ToList())
        {
            _decided.Remove(stale);
        }

        if (_decided.TryGetValue(updateId, out var decided))
        {
            return decided.Pace;
        }

        var inWindow = _decided.Values.Count(d => d.Pace == Pace.Within && d.SentAt <= sentAt && sentAt - d.SentAt < Window);
        Pace pace;
        if (perMinute <= 0 || inWindow < perMinute)
        {
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

        _decided[updateId] = (pace, sentAt);
        return pace;
    }
}
