using Assistant.Memory;
using Assistant.Sessions;

namespace Assistant.UnitTests.Memory;

public sealed class ConversationExportTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 18, 30, 0, TimeSpan.Zero);

    [Fact]
    public void The_export_holds_the_summary_then_every_kept_message_oldest_first_then_the_notes()
    {
        var conversation = new ChatSessionState
        {
            Summary = new ConversationSummary { Text = "The user is Ann, who builds boats." },
            Unsummarized = [ChatEntry.Create(ChatEntry.User, "pruned question", At.AddHours(-2)), ChatEntry.Create(ChatEntry.Assistant, "pruned answer", At.AddHours(-2))],
            Messages = [ChatEntry.Create(ChatEntry.User, "latest question", At.AddMinutes(-1)), ChatEntry.Create(ChatEntry.Assistant, "latest answer", At)],
        };

        var markdown = ConversationExport.Markdown("tg:7", At, conversation, ["likes tea"]);

        Assert.Equal("conversation-2026-12-07.md", ConversationExport.FileName(At));
        Assert.StartsWith("# Conversation export\n\nChat tg:7, exported 2026-12-07 18:30 UTC", markdown);
        Assert.Contains("## Messages (4)", markdown);
        var order = new[] { "The user is Ann", "pruned question", "pruned answer", "latest question", "**Assistant**, 2026-12-07 18:30 UTC\n\nlatest answer", "- likes tea" }
            .Select(t => markdown.IndexOf(t, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
    }

    [Fact]
    public void Without_notes_given_the_export_has_no_notes_section()
    {
        var markdown = ConversationExport.Markdown("tg:-100", At, new ChatSessionState(), notes: null);

        Assert.Contains("## Messages (0)", markdown);
        Assert.DoesNotContain("Notes", markdown);
        Assert.DoesNotContain("Summary", markdown);
    }
}
