using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Assistant.Monitoring;

/// <summary>
/// While the monitor throttles under high CPU, at most <c>Monitoring:ThrottleConcurrency</c> chat
/// requests run at once on this silo, up to <c>Monitoring:ThrottleQueueLength</c> more wait in
/// order, and the rest are refused (HTTP 429 with Retry-After). Otherwise everything passes.
/// </summary>
public sealed class ChatAdmission : IDisposable
{
    private static readonly IDisposable Free = new NoLease();
    private readonly PressureState _pressure;
    private readonly ConcurrencyLimiter _limiter;
    private long _refused;
    private long _queued;

    public ChatAdmission(PressureState pressure, IOptions<MonitoringOptions> options)
    {
        _pressure = pressure;
        RetryAfterSeconds = options.Value.ThrottleRetryAfterSeconds;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Value.ThrottleConcurrency,
            QueueLimit = options.Value.ThrottleQueueLength,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public int RetryAfterSeconds { get; }

    public long Refused => Interlocked.Read(ref _refused);

    public long Queued => Interlocked.Read(ref _queued);

    /// <returns>A lease to dispose when the request is done, or null when the request must be refused.</returns>
    public async ValueTask<IDisposable?> EnterAsync(CancellationToken cancellationToken)
    {
        if (!_pressure.Throttling)
        {
            return Free;
        }

        Interlocked.Increment(ref _queued);
        var lease = await _limiter.AcquireAsync(1, cancellationToken);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        Interlocked.Increment(ref _refused);
        return null;
    }

    public void Dispose() => _limiter.Dispose();

    private sealed class NoLease : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
