namespace Assistant.Sessions;

/// <summary>
/// Keeps a conversation within a message count and a token budget by dropping the oldest
/// whole turns (a user message and everything that answered it). The system prompt is not
/// part of the list and is always kept; so is the newest turn, even when it alone is over budget.
/// </summary>
public sealed class ContextWindow(int maxMessages, int maxTokens)
{
    public int MaxMessages { get; } = maxMessages;

    public int MaxTokens { get; } = maxTokens;

    public static int TotalTokens(IReadOnlyList<ChatEntry> messages)
    {
        var total = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            total += messages[i].Tokens;
        }

        return total;
    }

    /// <summary>
    /// Removes oldest turns from <paramref name="messages"/> until it fits; returns how many messages
    /// went, and adds them to <paramref name="removed"/> when given.
    /// </summary>
    public int Prune(List<ChatEntry> messages, int systemPromptTokens = 0, List<ChatEntry>? removed = null)
    {
        var tokens = TotalTokens(messages) + systemPromptTokens;
        var remove = 0;
        while (messages.Count - remove > MaxMessages || tokens > MaxTokens)
        {
            var turnEnd = EndOfTurn(messages, remove);
            if (turnEnd >= messages.Count)
            {
                break; // Only the newest turn is left: keep it.
            }

            for (var i = remove; i < turnEnd; i++)
            {
                tokens -= messages[i].Tokens;
            }

            remove = turnEnd;
        }

        if (remove > 0)
        {
            removed?.AddRange(messages.Take(remove));
            messages.RemoveRange(0, remove);
        }

        return remove;
    }

    /// <summary>The index just past the turn that starts at <paramref name="start"/>.</summary>
    private static int EndOfTurn(List<ChatEntry> messages, int start)
    {
        var end = start + 1;
        while (end < messages.Count && messages[end].Role != ChatEntry.User)
        {
            end++;
        }

        return end;
    }
}
