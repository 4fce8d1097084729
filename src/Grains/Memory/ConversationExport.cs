using System.Globalization;
using System.Text;
using Assistant.Sessions;

namespace Assistant.Memory;

/// <summary>A conversation as the Markdown document a user gets from <c>/export</c> or <c>GET /sessions/{id}/export</c>.</summary>
public static class ConversationExport
{
    public const string ContentType = "text/markdown";

    public static string FileName(DateTimeOffset at) => $"conversation-{at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.md";

    /// <summary>The summary, the messages oldest first and, when given, the notes of the person asking.</summary>
    public static string Markdown(string chat, DateTimeOffset at, ChatSessionState conversation, IReadOnlyList<string>? notes)
    {
        var text = new StringBuilder()
            .Append("# Conversation export\n\n")
            .Append(CultureInfo.InvariantCulture, $"Chat {chat}, exported {Stamp(at)}: everything this assistant keeps from it.\n");
        if (conversation.Summary is { } summary)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n## Summary of the earlier conversation\n\n{summary.Text}\n");
        }

        // Turns pruned and not yet in the summary are kept too: they come first.
        var messages = conversation.Unsummarized.Concat(conversation.Messages).ToList();
        text.Append(CultureInfo.InvariantCulture, $"\n## Messages ({messages.Count})\n");
        foreach (var message in messages)
        {
            var who = message.Role == ChatEntry.User ? "User" : "Assistant";
            text.Append(CultureInfo.InvariantCulture, $"\n**{who}**, {Stamp(message.Time)}\n\n{message.Text}\n");
        }

        if (notes is not null)
        {
            text.Append("\n## Notes kept about you\n\n");
            text.Append(notes.Count == 0 ? "None.\n" : string.Concat(notes.Select(n => $"- {n}\n")));
        }

        return text.ToString();
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
