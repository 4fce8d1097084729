using Assistant.Sessions;

namespace Assistant.UnitTests.Sessions;

public sealed class ContextWindowTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Exchanges_beyond_the_limit_drop_the_oldest_whole_turns()
    {
        var window = new ContextWindow(maxMessages: 100, maxTokens: int.MaxValue);
        var messages = new List<ChatEntry>();
        for (var i = 1; i <= 150; i++)
        {
            messages.Add(User($"q{i}"));
            window.Prune(messages);
            messages.Add(Assistant($"a{i}"));
            window.Prune(messages);
        }

        Assert.Equal(100, messages.Count);
        Assert.Equal("q101", messages[0].Text);
        Assert.Equal("a150", messages[^1].Text);
        Assert.All(messages.Where((_, i) => i % 2 == 0), m => Assert.Equal(ChatEntry.User, m.Role));
    }

    [Fact]
    public void The_pruned_turns_are_handed_over_whole_and_in_order()
    {
        var window = new ContextWindow(maxMessages: 4, maxTokens: int.MaxValue);
        var messages = new List<ChatEntry> { User("q1"), Assistant("a1"), User("q2"), Assistant("a2"), User("q3"), Assistant("a3") };
        var removed = new List<ChatEntry>();

        Assert.Equal(2, window.Prune(messages, removed: removed));
        Assert.Equal(["q1", "a1"], removed.Select(m => m.Text));
        Assert.Equal(["q2", "a2", "q3", "a3"], messages.Select(m => m.Text));
    }

    [Fact]
    public void A_turn_is_a_user_message_and_everything_until_the_next_user_message()
    {
        // A failed exchange leaves a lone user message; a cancelled one leaves a partial answer.
        var messages = new List<ChatEntry> { User("failed"), User("q2"), Assistant("a2"), Assistant("a2 continued"), User("q3") };

        Assert.Equal(1, new ContextWindow(maxMessages: 4, maxTokens: int.MaxValue).Prune(messages));
        Assert.Equal(["q2", "a2", "a2 continued", "q3"], messages.Select(m => m.Text));

        // One more message over: q2's turn goes whole, never just part of it.
        Assert.Equal(3, new ContextWindow(maxMessages: 3, maxTokens: int.MaxValue).Prune(messages));
        Assert.Equal(["q3"], messages.Select(m => m.Text));
    }

    [Fact]
    public void The_token_budget_drops_old_turns_that_hold_huge_messages()
    {
        var messages = new List<ChatEntry> { User(new string('x', 40_000)), Assistant("ok"), User("small"), Assistant("fine") };
        var window = new ContextWindow(maxMessages: 100, maxTokens: 1_000);

        window.Prune(messages);

        Assert.Equal(["small", "fine"], messages.Select(m => m.Text));
    }

    [Fact]
    public void The_system_prompt_counts_against_the_budget_but_is_never_removed()
    {
        var messages = new List<ChatEntry> { User("aaaa aaaa"), Assistant("bbbb bbbb"), User("cccc"), Assistant("dddd") };
        var budget = ContextWindow.TotalTokens(messages);
        var window = new ContextWindow(maxMessages: 100, maxTokens: budget);

        Assert.Equal(0, window.Prune(messages, systemPromptTokens: 0));
        Assert.Equal(2, window.Prune(messages, systemPromptTokens: 1));
        Assert.Equal(["cccc", "dddd"], messages.Select(m => m.Text));
    }

    [Fact]
    public void The_newest_turn_is_kept_even_when_it_alone_is_over_budget()
    {
        var messages = new List<ChatEntry> { User("old"), Assistant("old answer"), User(new string('y', 10_000)) };
        var window = new ContextWindow(maxMessages: 100, maxTokens: 100);

        window.Prune(messages);

        Assert.Single(messages);
        Assert.Equal(10_000, messages[0].Text.Length);
    }

    private static ChatEntry User(string text) => ChatEntry.Create(ChatEntry.User, text, Time);

    private static ChatEntry Assistant(string text) => ChatEntry.Create(ChatEntry.Assistant, text, Time);
}
