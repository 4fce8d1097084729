using Microsoft.Extensions.Logging;

namespace Assistant.Sessions;

/// <summary>
/// The turn queue: one loop answers the session's messages in order. While it has work the
/// activation is kept (<see cref="Grain.DelayDeactivation"/>): the loop is not a grain request, so
/// without that Orleans would collect an activation whose reply waits out a long 429 and start a
/// second one from the stored inbox. A shutdown lets the reply finish while Orleans allows, then
/// stops it at a safe point; what is unfinished stays in the inbox for the next activation.
/// </summary>
internal sealed partial class ChatSessionGrain
{
    private readonly LinkedList<Turn> _queue = new();
    private readonly HashSet<long> _queuedUpdates = [];
    private readonly CancellationTokenSource _stopping = new();
    private Turn? _current;
    private Task? _worker;
    private bool _stopRequested;

    private int QueuedCount => _queue.Count;

    private bool Busy => _current is not null || _queue.Count > 0;

    private bool CancelCurrent()
    {
        if (_current is not { } turn || turn.Cancellation.IsCancellationRequested)
        {
            return false;
        }

        turn.Cancellation.Cancel();
        return true;
    }

    private void Enqueue(Turn turn, bool first = false)
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

        if (_worker is null && !_stopRequested)
        {
            // Orleans' own way to say "not yet" to the activation collector; cleared when the queue is empty.
            DelayDeactivation(TimeSpan.MaxValue);
            _worker = WorkAsync();
        }
    }

    private List<Turn> DequeueApiTurns()
    {
        var api = _queue.Where(t => t.Telegram is null).ToList();
        api.ForEach(t =>
        {
            _queue.Remove(t);
            _idempotent.Ended(t);
        });
        return api;
    }

    private async Task WorkAsync()
    {
        // Always asynchronous, so _worker is stored before the loop can end and clear it (a reply
        // from the offline model, on SQLite, can otherwise complete synchronously).
        await Task.Yield();
        try
        {
            while (!_stopRequested && _queue.First is { } next)
            {
                _queue.RemoveFirst();
                var turn = next.Value;
                _current = turn;
                _registry.ReplyStarted(telegram: turn.Telegram is not null);
                try
                {
                    if (turn.Telegram is not null)
                    {
                        await AnswerTelegramAsync(turn);
                    }
                    else
                    {
                        await ReplyAsync(turn);
                    }
                }
                catch (OperationCanceledException ex) when (_stopping.IsCancellationRequested || ex is SessionStoppingException)
                {
                    turn.Fail(ex); // Stopped at a safe point; a Telegram message stays in the inbox for the next activation.
                }
                catch (Exception ex)
                {
                    LogExchangeFailed(_logger, ex, SessionId);
                    turn.Fail(ex);
                }
                finally
                {
                    _current = null;
                    _idempotent.Ended(turn);
                    if (turn.Telegram is { } message)
                    {
                        _queuedUpdates.Remove(message.UpdateId);
                    }

                    _registry.ReplyFinished(telegram: turn.Telegram is not null);
                    _overflowNotified &= QueuedTelegramCount >= _options.MaxQueuedMessages; // a burst ends when there is room again
                }
            }
        }
        finally
        {
            _worker = null;
            if (!_stopRequested)
            {
                DelayDeactivation(TimeSpan.Zero);
            }
        }
    }

    private async Task StopWorkAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _stopRequested = true;
        _current?.AdmissionWait?.Cancel(); // a turn that only waits for admission has nothing to finish
        foreach (var waiting in DequeueApiTurns())
        {
            waiting.Fail(new SessionBusyException("The service is restarting; send the message again in a moment."));
        }

        if (_worker is not { } worker)
        {
            return;
        }

        try
        {
            // The reply in progress may finish while Orleans allows; the queue behind it waits in the inbox.
            await worker.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Orleans waits no longer: the turn stops at its next wait (model, Telegram, backoff) and
            // sends nothing more; an unfinished message stays in the inbox for the next activation.
            LogDeactivatedMidReply(_logger, SessionId, reason.Description);
            _stopping.Cancel();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: deactivated ({Reason}) before the reply in progress finished; it is resumed by the next activation")]
    private static partial void LogDeactivatedMidReply(ILogger logger, string sessionId, string reason);
}
