using Microsoft.Extensions.Options;

namespace Assistant.Monitoring;

/// <summary>
/// This silo's gate for chat turns, HTTP and Telegram alike. While the monitor throttles under
/// high CPU, at most <c>Monitoring:ThrottleConcurrency</c> turns run at once (counting those that
/// started before throttling began) and the rest wait in one queue, in the order they came.
/// HTTP requests beyond <c>Monitoring:ThrottleQueueLength</c> waiting are refused (429 with
/// Retry-After); a Telegram message is never refused here, because it is already stored in its
/// session's inbox (bounded by <c>Sessions:MaxQueuedMessages</c>) and can only wait. When
/// throttling ends, everyone waiting goes at once.
/// </summary>
public sealed class ChatAdmission
{
    private readonly PressureState _pressure;
    private readonly int _concurrency;
    private readonly int _httpQueueLength;
    private readonly object _sync = new();
    private readonly LinkedList<Waiter> _waiting = new();
    private int _running;
    private int _httpWaiting;
    private long _refused;

    public ChatAdmission(PressureState pressure, IOptions<MonitoringOptions> options)
    {
        _pressure = pressure;
        _concurrency = options.Value.ThrottleConcurrency;
        _httpQueueLength = options.Value.ThrottleQueueLength;
        RetryAfterSeconds = options.Value.ThrottleRetryAfterSeconds;
        pressure.Changed += Pump;
    }

    public int RetryAfterSeconds { get; }

    /// <summary>HTTP chat requests refused with 429 since start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Turns waiting now.</summary>
    public int Waiting
    {
        get
        {
            lock (_sync)
            {
                return _waiting.Count;
            }
        }
    }

    /// <returns>
    /// A lease to dispose when the turn is done, or null when an HTTP request must be refused.
    /// Throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires while it waits.
    /// </returns>
    public async ValueTask<IDisposable?> EnterAsync(ChatChannel channel, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_sync)
        {
            if (_waiting.Count == 0 && (!_pressure.Throttling || _running < _concurrency))
            {
                _running++;
                return new Lease(this);
            }

            if (channel == ChatChannel.Http && _httpWaiting >= _httpQueueLength)
            {
                _refused++;
                return null;
            }

            waiter = new Waiter(channel);
            waiter.Node = _waiting.AddLast(waiter);
            _httpWaiting += channel == ChatChannel.Http ? 1 : 0;
        }

        await using (cancellationToken.Register(() => Abandon(waiter, cancellationToken)))
        {
            return await waiter.Admitted.Task;
        }
    }

    private void Abandon(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            if (waiter.Node?.List is null)
            {
                return; // admitted already: the caller gets the lease and gives it back
            }

            Remove(waiter);
        }

        waiter.Admitted.TrySetCanceled(cancellationToken);
    }

    private void Release()
    {
        lock (_sync)
        {
            _running--;
        }

        Pump();
    }

    /// <summary>Lets waiting turns in while there is room, or all of them once throttling is off.</summary>
    private void Pump()
    {
        List<Waiter> admitted = [];
        lock (_sync)
        {
            while (_waiting.First is { } first && (!_pressure.Throttling || _running < _concurrency))
            {
                Remove(first.Value);
                _running++;
                admitted.Add(first.Value);
            }
        }

        // Outside the lock: continuations run on their own (RunContinuationsAsynchronously) anyway.
        admitted.ForEach(w => w.Admitted.TrySetResult(new Lease(this)));
    }

    private void Remove(Waiter waiter)
    {
        _waiting.Remove(waiter.Node!);
        _httpWaiting -= waiter.Channel == ChatChannel.Http ? 1 : 0;
    }

    private sealed class Waiter(ChatChannel channel)
    {
        public ChatChannel Channel { get; } = channel;

        public LinkedListNode<Waiter>? Node { get; set; }

        public TaskCompletionSource<IDisposable?> Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Lease(ChatAdmission owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release();
            }
        }
    }
}

/// <summary>Where a chat turn came from, for <see cref="ChatAdmission"/>.</summary>
public enum ChatChannel
{
    Http,
    Telegram,
}
