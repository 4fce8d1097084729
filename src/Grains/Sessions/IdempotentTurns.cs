namespace Assistant.Sessions;

/// <summary>
/// A session's HTTP messages sent with an <c>Idempotency-Key</c>: a repeat gets the reply kept for
/// the key (<see cref="KeptReplies"/>), or, while the first is still queued or being answered, waits
/// for that same reply. Either way the model is asked once and the context holds the exchange once.
/// In memory only: what outlives the activation is the kept reply, written with its exchange.
/// </summary>
internal sealed class IdempotentTurns
{
    private readonly Dictionary<string, Turn> _running = [];

    /// <summary>The first reply to a repeated key, kept or under way; null for a message to answer.</summary>
    public Task<ChatReply>? Known(ChatRequest request, ChatSessionState state, DateTimeOffset now)
    {
        if (request.IdempotencyKey is not { } key)
        {
            return null;
        }

        var fingerprint = KeptReplies.Fingerprint(request.Text ?? "");
        if (KeptReplies.Find(state, key, fingerprint, now) is { } kept)
        {
            return Task.FromResult(kept);
        }

        if (!_running.TryGetValue(key, out var running))
        {
            return null;
        }

        return KeptReplies.Fingerprint(running.Request.Text) == fingerprint ? running.Completion.Task : throw KeptReplies.Reused(key);
    }

    public void Started(Turn turn)
    {
        if (turn.Request.IdempotencyKey is { } key)
        {
            _running[key] = turn;
        }
    }

    public void Ended(Turn turn)
    {
        if (turn.Request.IdempotencyKey is { } key && _running.TryGetValue(key, out var running) && running == turn)
        {
            _running.Remove(key);
        }
    }

    /// <summary>Keeps the reply of a turn that carries a key (an answer only), in the state being written with its exchange.</summary>
    public static void Keep(ChatSessionState state, Turn turn, ChatReply reply, DateTimeOffset now)
    {
        if (turn.Request.IdempotencyKey is { } key && reply.Failure is null)
        {
            KeptReplies.Keep(state, key, KeptReplies.Fingerprint(turn.Request.Text), reply, now);
        }
    }

    /// <summary>A known reply as a stream: the one <c>done</c> event.</summary>
    public static async IAsyncEnumerable<ReplyEvent> Replay(Task<ChatReply> reply)
    {
        yield return ReplyEvent.Completed(await reply);
    }
}
