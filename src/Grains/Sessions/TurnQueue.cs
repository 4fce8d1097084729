using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Assistant.Sessions;

/// <summary>
/// One session's turns, answered in order by one loop. While it has work the activation is kept
/// (the grain's <c>DelayDeactivation</c>, through <c>keepAlive</c>): the loop is not a grain request,
/// so without that Orleans would collect an activation whose reply waits out a long 429 and start a
/// second one from the stored inbox. A shutdown lets the reply finish while Orleans allows, then
/// stops it at a safe point; what is unfinished stays in the inbox for the next activation.
/// </summary>
internal sealed partial class TurnQueue(
    string sessionId,
    Func<Turn, Task> answer,
    Action<TimeSpan> keepAlive,
    Action<Turn> ended,
    LocalSessionRegistry registry,
    ILogger logger)
{
    private readonly LinkedList<Turn> _queue = new();
    private readonly HashSet<long> _queuedUpdates = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _settling = [];
    private Task? _worker;

    /// <summary>The turn being answered, if any.</summary>
    public Turn? Current { get; private set; }

    /// <summary>Cancelled when Orleans waits no longer for the reply in progress: the turn stops at its next wait.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Set once the activation is being deactivated: no turn starts after it.</summary>
    public bool StopRequested { get; private set; }

    public int Count => _queue.Count;

    public bool Busy => Current is not null || _queue.Count > 0;

    public IEnumerable<Turn> Waiting => _queue;

    /// <summary>Cancels the reply under way (<c>/cancel</c>, <c>/reset</c>); false if there is none or it is cancelled already.</summary>
    public bool CancelCurrent()
    {
        if (Current is not { } turn || turn.Cancellation.IsCancellationRequested)
        {
            return false;
        }

        turn.Cancellation.Cancel();
        return true;
    }

    public void Enqueue(Turn turn, bool first = false)
    {
        if (turn.Telegram is { } message && !_queuedUpdates.Add(message.UpdateId))
        {
            return; // Already queued or being answered: each accepted message is answered once.
        }

        if (first)
        {
            _queue.AddFirst(turn);
        }
        else
        {
            _queue.AddLast(turn);
        }

        if (_worker is null && !StopRequested)
        {
            // Orleans' own way to say "not yet" to the activation collector; cleared when the queue is empty.
            keepAlive(TimeSpan.MaxValue);
            _worker = WorkAsync();
        }
    }

    /// <summary>Takes the HTTP turns out of the queue (a reset, a shutdown); the caller completes them.</summary>
    public List<Turn> DequeueApiTurns()
    {
        var api = _queue.Where(t => t.Telegram is null).ToList();
        api.ForEach(t =>
        {
            _queue.Remove(t);
            ended(t);
        });
        return api;
    }

    /// <summary>No turn starts after the one in progress: the activation is giving up its work (a version conflict).</summary>
    public void Halt() => StopRequested = true;

    /// <summary>Stops the loop: the reply in progress may finish while <paramref name="cancellationToken"/> allows.</summary>
    /// <returns>False when Orleans stopped waiting before the reply finished.</returns>
    public async Task<bool> StopAsync(string reason, CancellationToken cancellationToken)
    {
        StopRequested = true;
        Current?.AdmissionWait?.Cancel(); // a turn that only waits for admission has nothing to finish
        try
        {
            if (_worker is { } worker)
            {
                await worker.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Orleans waits no longer: the turn stops at its next wait (model, Telegram, backoff) and
            // sends nothing more; an unfinished message stays in the inbox for the next activation.
            LogDeactivatedMidReply(logger, sessionId, reason);
            _stopping.Cancel();
            return false;
        }

        try
        {
            // The recording of what ended turns cost, so no call outlives the activation unseen.
            await Task.WhenAll(_settling.ToList()).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LogCostsUnrecorded(logger, sessionId, _settling.Count);
        }

        return true;
    }

    private async Task WorkAsync()
    {
        // Always asynchronous, so _worker is stored before the loop can end and clear it (a reply
        // from the offline model, on SQLite, can otherwise complete synchronously).
        await Task.Yield();
        try
        {
            while (!StopRequested && _queue.First is { } next)
            {
                _queue.RemoveFirst();
                var turn = next.Value;
                Current = turn;
                registry.ReplyStarted(telegram: turn.Telegram is not null);
                try
                {
                    await answer(turn);
                }
                catch (InconsistentStateException)
                {
                    // Another activation wrote this session's state: this one stops (the grain
                    // deactivates); a Telegram message stays in the inbox for the next activation.
                    turn.Fail(new SessionBusyException(SessionLedger.ChangedElsewhere));
                }
                catch (OperationCanceledException ex) when (_stopping.IsCancellationRequested || ex is SessionStoppingException)
                {
                    turn.Fail(ex); // Stopped at a safe point; a Telegram message stays in the inbox for the next activation.
                }
                catch (Exception ex)
                {
                    LogExchangeFailed(logger, ex, sessionId);
                    turn.Fail(ex);
                }
                finally
                {
                    Settling(turn.Settled);
                    Current = null;
                    if (turn.Telegram is { } message)
                    {
                        _queuedUpdates.Remove(message.UpdateId);
                    }

                    registry.ReplyFinished(telegram: turn.Telegram is not null);
                    ended(turn);
                }
            }
        }
        finally
        {
            _worker = null;
            if (!StopRequested)
            {
                keepAlive(TimeSpan.Zero);
            }
        }
    }

    /// <summary>
    /// Keeps the recording of a turn's cost until it ends, without making the next turn wait for it:
    /// a spend grain on a silo that just died holds it for up to the call timeout. Until it ends the
    /// turn's hold stays, so admission only errs on the side of refusing.
    /// </summary>
    private void Settling(Task settle)
    {
        if (settle.IsCompleted)
        {
            return;
        }

        _settling.Add(settle);
        _ = settle.ContinueWith(done => _settling.Remove(done), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Current);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: deactivated ({Reason}) before the reply in progress finished; it is resumed by the next activation")]
    private static partial void LogDeactivatedMidReply(ILogger logger, string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: deactivated while the cost of {Count} answered turns was still being recorded; a record that does not arrive leaves its hold to lapse")]
    private static partial void LogCostsUnrecorded(ILogger logger, string sessionId, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: the exchange failed")]
    private static partial void LogExchangeFailed(ILogger logger, Exception exception, string sessionId);
}
