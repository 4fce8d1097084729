using Assistant.Sessions;

namespace Assistant.Benchmarks;

/// <summary>The load driver's session shape: 50 exchanges of a 100-character question and a 300-character answer.</summary>
internal static class SessionStates
{
    public static List<ChatEntry> FullContext(DateTimeOffset now)
    {
        var messages = new List<ChatEntry>(102);
        for (var i = 0; i < 50; i++)
        {
            messages.Add(ChatEntry.Create(ChatEntry.User, new string('q', 99) + "?", now));
            messages.Add(ChatEntry.Create(ChatEntry.Assistant, new string('a', 299) + ".", now));
        }

        return messages;
    }

    public static ChatSessionState Full(DateTimeOffset now)
    {
        var state = new ChatSessionState { Messages = FullContext(now) };
        state.Statistics.CreatedAt = now;
        state.Statistics.LastActiveAt = now;
        state.Statistics.MessagesReceived = 50;
        state.Statistics.Replies = 50;
        for (var i = 0; i < 20; i++)
        {
            state.Statistics.RecordResponse(10 + i);
        }

        return state;
    }
}
