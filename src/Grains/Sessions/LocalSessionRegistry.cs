using System.Collections.Concurrent;

namespace Assistant.Sessions;

/// <summary>
/// The chat sessions active on this silo, as they last described themselves. Sessions register
/// on activation, publish a snapshot after each exchange and leave on deactivation; the silo
/// agent reads it for reports, sampling and cleanup.
/// </summary>
public sealed class LocalSessionRegistry
{
    private readonly ConcurrentDictionary<string, SessionSnapshot> _sessions = new();
    private readonly object _replies = new();
    private int _activeReplies;
    private int _activeTelegramReplies;
    private TaskCompletionSource _idle = Completed();

    public int Count => _sessions.Count;

    /// <summary>Replies being written on this silo now.</summary>
    public int ActiveReplies => Volatile.Read(ref _activeReplies);

    /// <summary>The replies being written now, split into those answering Telegram messages and the rest (the HTTP API).</summary>
    public (int Telegram, int Api) ActiveRepliesByChannel()
    {
        lock (_replies)
        {
            return (_activeTelegramReplies, _activeReplies - _activeTelegramReplies);
        }
    }

    public void ReplyStarted(bool telegram)
    {
        lock (_replies)
        {
            if (_activeReplies++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _activeTelegramReplies += telegram ? 1 : 0;
        }
    }

    public void ReplyFinished(bool telegram)
    {
        lock (_replies)
        {
            _activeTelegramReplies -= telegram ? 1 : 0;
            if (--_activeReplies == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    /// <summary>Completes when no reply is in progress; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public Task WaitForNoRepliesAsync(TimeSpan timeout, TimeProvider time)
    {
        lock (_replies)
        {
            return _idle.Task.WaitAsync(timeout, time);
        }
    }

    public IEnumerable<SessionSnapshot> Snapshots => _sessions.Values;

    public void Publish(SessionSnapshot snapshot) => _sessions[snapshot.SessionId] = snapshot;

    public void Remove(string sessionId) => _sessions.TryRemove(sessionId, out _);

    /// <summary>This silo's part of the sessions report.</summary>
    public SiloSessionReport Report(string silo, int largest, DateTimeOffset now)
    {
        var snapshots = _sessions.Values.ToList();
        var latency = new LatencyHistogram();
        var errors = new Dictionary<string, long>();
        var tools = new Dictionary<string, long>();
        var kinds = MessageKind.All.ToDictionary(k => k, _ => 0L);
        var durations = SessionDurations.Labels.ToDictionary(l => l, _ => 0L);
        long bytes = 0, replies = 0;
        foreach (var s in snapshots)
        {
            bytes += s.EstimatedBytes;
            replies += s.Replies;
            foreach (var ms in s.RecentResponseMs)
            {
                latency.Add(ms);
            }

            Sum(errors, s.ErrorsByType);
            Sum(tools, s.ToolCalls);
            Sum(kinds, s.MessagesByKind);
            var duration = (s.LastActiveAt == default ? now : s.LastActiveAt) - (s.CreatedAt == default ? now : s.CreatedAt);
            durations[SessionDurations.BucketOf(duration)]++;
        }

        var top = snapshots.OrderByDescending(s => s.EstimatedBytes).Take(largest)
            .Select(s => new SessionMemory(s.SessionId, s.EstimatedBytes, s.Messages)).ToList();
        return new SiloSessionReport(silo, snapshots.Count, bytes, top, new Dictionary<long, long>(latency.Buckets), replies, errors, tools, durations, kinds);
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    internal static void Sum(Dictionary<string, long> into, IReadOnlyDictionary<string, long> from)
    {
        foreach (var (key, value) in from)
        {
            into[key] = into.GetValueOrDefault(key) + value;
        }
    }
}
