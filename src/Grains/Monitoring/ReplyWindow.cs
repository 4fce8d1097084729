using Assistant.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistant.Monitoring;

/// <summary>
/// This silo's replies over the last <c>Monitoring:LatencyWindowMinutes</c> (time and whether the
/// message was text or media) and its errors by type since start, for the snapshot the monitor
/// samples: the history's response times and the slow-replies alert come from here.
/// </summary>
public sealed class ReplyWindow(IOptions<MonitoringOptions> options, [FromKeyedServices(Clock.Key)] TimeProvider time)
{
    private const int MaxKept = 100_000; // a bound on memory whatever the traffic; percentiles of the newest
    private readonly Queue<(long At, long Ms, bool Media)> _replies = new();
    private readonly Dictionary<string, long> _errors = [];
    private readonly object _gate = new();
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private long _answered;

    public void Answered(string kind, long elapsedMs, string? error)
    {
        lock (_gate)
        {
            _replies.Enqueue((time.GetTimestamp(), elapsedMs, kind != MessageKind.Text));
            _answered++;
            if (_replies.Count > MaxKept)
            {
                _replies.Dequeue();
            }

            if (Models.ModelFailure.IsError(error))
            {
                _errors[error] = _errors.GetValueOrDefault(error) + 1;
            }
        }
    }

    public void GivenUp()
    {
        lock (_gate)
        {
            _errors[Telegram.DeadLetters.ErrorType] = _errors.GetValueOrDefault(Telegram.DeadLetters.ErrorType) + 1;
        }
    }

    public ReplyFigures Figures()
    {
        var window = TimeSpan.FromMinutes(options.Value.LatencyWindowMinutes);
        lock (_gate)
        {
            while (_replies.Count > 0 && time.GetElapsedTime(_replies.Peek().At) > window)
            {
                _replies.Dequeue();
            }

            var text = _replies.Where(r => !r.Media).Select(r => (double)r.Ms).Order().ToList();
            var media = _replies.Where(r => r.Media).Select(r => (double)r.Ms).Order().ToList();
            var all = _replies.Select(r => (double)r.Ms).Order().ToList();
            return new ReplyFigures(text.Count, Spread.At(text, 95), media.Count, Spread.At(media, 95), Spread.At(all, 50), new Dictionary<string, long>(_errors),
                Spread.At(all, 95), _answered) { StartedAt = _startedAt };
        }
    }
}
