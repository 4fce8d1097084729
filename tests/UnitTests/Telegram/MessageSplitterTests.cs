using Assistant.Telegram;

namespace Assistant.UnitTests.Telegram;

public sealed class MessageSplitterTests
{
    [Fact]
    public void A_reply_within_the_limit_is_one_message() => Assert.Equal(["short"], MessageSplitter.Split("short"));

    [Fact]
    public void Long_text_splits_at_paragraph_breaks_into_parts_within_the_limit()
    {
        var text = string.Join("\n\n", Enumerable.Range(1, 60).Select(i => $"Paragraph {i} " + new string('x', 100)));

        var parts = MessageSplitter.Split(text);

        Assert.Equal(2, parts.Count);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, 4096));
        Assert.All(parts, p => Assert.StartsWith("Paragraph", p));
        Assert.Equal(text, string.Join("\n\n", parts));
    }

    [Fact]
    public void A_code_block_that_would_straddle_the_cut_moves_whole_to_the_next_message()
    {
        var before = string.Join("\n\n", Enumerable.Range(1, 38).Select(i => new string('p', 100)));
        var code = "```python\n" + string.Join("\n", Enumerable.Range(1, 20).Select(i => $"print({i})  # line")) + "\n```";
        var text = before + "\n\n" + code + "\n\nThe end.";

        var parts = MessageSplitter.Split(text);

        Assert.Equal(2, parts.Count);
        Assert.DoesNotContain("```", parts[0]);
        Assert.StartsWith(code, parts[1]);
    }

    [Fact]
    public void A_code_block_longer_than_a_message_is_closed_and_reopened_with_its_language()
    {
        var code = "```sql\n" + string.Join("\n", Enumerable.Range(1, 400).Select(i => $"SELECT {i} FROM t;")) + "\n```";

        var parts = MessageSplitter.Split(code);

        Assert.True(parts.Count >= 2);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, 4096));
        Assert.All(parts, p => Assert.Equal(0, p.Split('\n').Count(l => l.StartsWith("```", StringComparison.Ordinal)) % 2));
        Assert.All(parts.Skip(1), p => Assert.StartsWith("```sql\n", p));
        var lines = string.Join("\n", parts).Split('\n').Where(l => l.StartsWith("SELECT", StringComparison.Ordinal)).ToList();
        Assert.Equal(400, lines.Count);
    }

    [Fact]
    public void Text_without_any_break_is_cut_hard_and_nothing_is_lost()
    {
        var text = new string('z', 10_000);

        var parts = MessageSplitter.Split(text);

        Assert.All(parts, p => Assert.InRange(p.Length, 1, 4096));
        Assert.Equal(text, string.Concat(parts));
    }
}
