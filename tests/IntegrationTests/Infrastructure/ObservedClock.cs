using Microsoft.Extensions.Time.Testing;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>
/// A fake clock (<see cref="FakeTimeProvider"/>) that also tells which waits the service has set
/// on it. A test moves the clock only once the wait it means is set (<see cref="WaitForTimerAsync"/>),
/// so nothing depends on how fast the machine is: a wait set too late, or of another length, is a
/// timer the test never sees, and it fails.
/// </summary>
public sealed class ObservedClock(DateTimeOffset start) : TimeProvider
{
    private readonly FakeTimeProvider _fake = new(start);
    private readonly List<Watched> _timers = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _fake.LocalTimeZone;

    /// <summary>How many timers have been set so far: a mark to wait for the ones set after it.</summary>
    public int Mark
    {
        get
        {
            lock (_timers)
            {
                return _timers.Count;
            }
        }
    }

    public void Advance(TimeSpan by) => _fake.Advance(by);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var watched = new Watched(this, dueTime);
        watched.Inner = _fake.CreateTimer(s => { watched.Fired(); callback(s); }, state, dueTime, period);
        lock (_timers)
        {
            _timers.Add(watched);
            Pulse();
        }

        return watched;
    }

    /// <summary>Waits until <paramref name="count"/> timers of exactly <paramref name="due"/> have been set after <paramref name="since"/>.</summary>
    public Task WaitForTimerAsync(TimeSpan due, int since, string what, int count = 1) =>
        WaitAsync(t => t.Skip(since).Count(w => w.Due == due) >= count, $"{what} (a wait of {due.TotalSeconds} s set on the clock)");

    /// <summary>Waits until no timer of <paramref name="due"/> is still pending (each fired, cancelled or disposed).</summary>
    public Task WaitUntilNonePendingAsync(TimeSpan due, string what) =>
        WaitAsync(t => !t.Any(w => w.Due == due && w.Pending), what);

    private async Task WaitAsync(Func<List<Watched>, bool> met, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            Task changed;
            lock (_timers)
            {
                if (met(_timers))
                {
                    return;
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
            {
                throw new TimeoutException($"Timed out waiting for {what}; timers set: {string.Join(", ", Describe())}");
            }
        }
    }

    private IEnumerable<string> Describe()
    {
        lock (_timers)
        {
            return _timers.Select(t => $"{t.Due.TotalSeconds}s{(t.Pending ? " pending" : "")}").ToList();
        }
    }

    private void Pulse()
    {
        var old = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    private void Changed()
    {
        lock (_timers)
        {
            Pulse();
        }
    }

    private sealed class Watched(ObservedClock clock, TimeSpan due) : ITimer
    {
        private volatile bool _pending = due != Timeout.InfiniteTimeSpan;

        public ITimer Inner { get; set; } = null!;

        public TimeSpan Due { get; private set; } = due;

        public bool Pending => _pending;

        public void Fired()
        {
            _pending = false;
            clock.Changed();
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            (Due, _pending) = (dueTime, dueTime != Timeout.InfiniteTimeSpan);
            clock.Changed();
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            _pending = false;
            Inner.Dispose();
            clock.Changed();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
