using Assistant.Models;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Assistant.Sessions;

/// <summary>
/// The HTTP API's messages: admitted, queued in the session's turn queue, answered by the model
/// and recorded in one write with the reply kept for an <c>Idempotency-Key</c>
/// (<see cref="IdempotentTurns"/>). The caller awaits the reply or streams it. Keeps no state of its own.
/// </summary>
internal sealed class ApiReplies(
    SessionAdmission admission,
    ModelExchange exchange,
    SessionLedger ledger,
    IOptions<ChatSessionOptions> options)
{
    public Task<ChatReply> AskAsync(ChatActivation session, ChatRequest request) =>
        session.Idempotent.Known(request, session.Conversation, ledger.Time.GetUtcNow()) ?? Accept(session, request, streaming: false).Completion.Task;

    public IAsyncEnumerable<ReplyEvent> AskStreamingAsync(ChatActivation session, ChatRequest request) =>
        session.Idempotent.Known(request, session.Conversation, ledger.Time.GetUtcNow()) is { } known
            ? IdempotentTurns.Replay(known)
            : StreamAsync(Accept(session, request, streaming: true), stopOnDisconnect: request.IdempotencyKey is null);

    /// <summary>A message from the HTTP API, in its turn: the caller awaits the reply (or streams it).</summary>
    public async Task ReplyAsync(ChatActivation session, Turn turn)
    {
        var generation = session.Generation;
        var result = await exchange.GenerateAsync(session.Id, session.Conversation, turn, onText: null, session.Queue.Stopping);
        var elapsed = ledger.Elapsed(turn);
        if (result.Failure == ModelFailure.OverBudget)
        {
            // Refused before the model was called: nothing to record; the caller gets 429 until the budget resets.
            ledger.Answered(session, MessageKind.Api, MessageKind.Text, elapsed, result.Failure);
            var wait = Math.Max(1, (long)Math.Ceiling((result.RefusedUntil - ledger.Time.GetUtcNow()).TotalSeconds));
            turn.Fail(new Spending.BudgetExceededException(result.Refusal!, wait));
            return;
        }

        ChatReply reply = null!;
        var recorded = await session.Session.UpdateAsync(s =>
        {
            if (generation != session.Generation)
            {
                return false; // reset or erased while it was written (checked under the commit lock): it must not land in what follows
            }

            exchange.Record(s, result, elapsed, keepFailedQuestion: turn.Request.IdempotencyKey is null);
            s.Statistics.Count(s.Statistics.MessagesByKind, MessageKind.Text);
            reply = new ChatReply(result.Reply, s.Messages.Count, elapsed, result.Failure);
            IdempotentTurns.Keep(s, turn, reply, ledger.Time.GetUtcNow()); // with the exchange, in one write
            return true;
        });
        if (!recorded)
        {
            turn.Complete(new ChatReply("The conversation was reset while this reply was being written.", session.Conversation.Messages.Count, elapsed, ModelFailure.Cancelled));
            return;
        }

        ledger.Answered(session, MessageKind.Api, MessageKind.Text, elapsed, result.Failure);
        ledger.Publish(session);
        await ledger.TouchDirectoryAsync(session);
        turn.Complete(reply);
    }

    private static async IAsyncEnumerable<ReplyEvent> StreamAsync(Turn turn, bool stopOnDisconnect, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A caller that goes away (client disconnect) cancels its reply, unless it sent an
        // Idempotency-Key: it is expected back for the reply, which is finished and kept for it.
        await using var stop = stopOnDisconnect ? cancellationToken.Register(turn.Cancellation.Cancel) : default;
        await foreach (var item in turn.Events!.Reader.ReadAllAsync(CancellationToken.None))
        {
            yield return item;
        }
    }

    private Turn Accept(ChatActivation session, ChatRequest request, bool streaming)
    {
        if (!SessionKey.IsApi(session.Id))
        {
            throw new ArgumentException($"Session {session.Id} is a Telegram chat; the HTTP API's sessions are keyed {SessionKey.ApiPrefix}<id>.", nameof(request));
        }

        switch (admission.Check(session.IsNew, !session.Started, MessageKind.Api))
        {
            case { Kind: RefusalKind.Maintenance } maintenance:
                throw new MaintenanceModeException(maintenance.Message);
            case { } full:
                session.DeactivateOnIdle(); // turned away: it holds no place under the cap
                throw new SessionLimitException(full.Message);
        }

        var text = request.Text?.Trim() ?? "";
        var limit = options.Value.MaxMessageChars;
        if (text.Length == 0 || text.Length > limit)
        {
            throw new ArgumentException($"A message must have between 1 and {limit} characters.", nameof(request));
        }

        if (session.Queue.StopRequested)
        {
            // The activation is winding down (a version conflict): no turn starts here any more.
            throw new SessionBusyException(SessionLedger.ChangedElsewhere);
        }

        var queued = session.Queue.Count;
        if (queued >= options.Value.MaxQueuedMessages)
        {
            throw new SessionBusyException($"Session {session.Id} already has {queued} messages waiting; try again when the current reply is done.");
        }

        var turn = Turn.ForApi(request with { Text = text }, ledger.Time.GetTimestamp(), streaming);
        session.Idempotent.Started(turn);
        session.Queue.Enqueue(turn);
        session.Started = true;
        ledger.Metrics.MessageReceived(MessageKind.Api);
        return turn;
    }
}
