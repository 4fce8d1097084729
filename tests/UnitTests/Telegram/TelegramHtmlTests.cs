using Assistant.Fakes.Telegram;
using Assistant.Telegram.Formatting;

namespace Assistant.UnitTests.Telegram;

/// <summary>The model's Markdown as Telegram HTML, against the cases that broke the legacy Markdown mode.</summary>
public sealed class TelegramHtmlTests
{
    [Theory]
    [InlineData("use snake_case_names here", "use snake_case_names here")]
    [InlineData("**bold** and *italic* and __also bold__", "<b>bold</b> and <i>italic</i> and <b>also bold</b>")]
    [InlineData("### A heading", "<b>A heading</b>")]
    [InlineData("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d")]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("2 * 3 * 4 = 24, and an unclosed _ is fine", "2 * 3 * 4 = 24, and an unclosed _ is fine")]
    [InlineData("`a_b*c` inline", "<code>a_b*c</code> inline")]
    [InlineData("~~gone~~", "<s>gone</s>")]
    [InlineData("[docs](https://example.org/a_b?x=1&y=2)", "<a href=\"https://example.org/a_b?x=1&amp;y=2\">docs</a>")]
    [InlineData("[click](javascript:alert(1))", "click")]
    [InlineData("> quoted *text*", "<blockquote>quoted <i>text</i></blockquote>")]
    [InlineData("> outer\n>\n> > inner", "<blockquote>outer\n\ninner</blockquote>")]
    [InlineData("### The `Run` method", "<b>The Run method</b>")]
    [InlineData("[the `x` flag](https://example.org)", "<a href=\"https://example.org\">the x flag</a>")]
    [InlineData("<javascript:alert(1)>", "javascript:alert(1)")]
    [InlineData("**see [docs](https://example.org)**", "<b>see <a href=\"https://example.org\">docs</a></b>")]
    public void Markdown_renders_to_the_html_Telegram_accepts(string markdown, string html)
    {
        Assert.Equal(html, TelegramHtml.Render(markdown));
        Assert.Null(TelegramHtmlParser.Parse(html).Error);
    }

    [Fact]
    public void A_fenced_code_block_keeps_its_text_verbatim_with_its_language()
    {
        var html = TelegramHtml.Render("Here:\n\n```python\nx = a_b*c  # <not a tag>\n```");
        Assert.Equal("Here:\n\n<pre><code class=\"language-python\">x = a_b*c  # &lt;not a tag&gt;</code></pre>", html);
        Assert.Equal("Here:\n\nx = a_b*c  # <not a tag>", TelegramHtmlParser.Parse(html).Text);
    }

    [Fact]
    public void Lists_become_bullets_and_numbers_with_nesting()
    {
        var html = TelegramHtml.Render("- one\n- two\n  - two a\n\n1. first\n2. second");
        Assert.Equal("• one\n• two\n    • two a\n\n1. first\n2. second", html);
    }

    [Fact]
    public void A_table_becomes_aligned_preformatted_text()
    {
        var html = TelegramHtml.Render("| Name | Qty |\n|---|---|\n| apple | 3 |\n| kiwi_fruit | 12 |");
        Assert.Equal("<pre>Name       | Qty\n-----------+----\napple      | 3\nkiwi_fruit | 12</pre>", html);
    }

    [Fact]
    public void Text_that_renders_to_nothing_at_all_is_shown_as_typed()
    {
        Assert.Equal(["[ref]: https://example.org"], TelegramHtml.RenderBlocks("[ref]: https://example.org"));
    }

    [Fact]
    public void Text_that_renders_to_no_visible_text_is_shown_as_typed()
    {
        Assert.Equal(["#"], TelegramHtml.RenderBlocks("#"));
        Assert.Equal(["&gt;"], TelegramHtml.RenderBlocks(">"));
    }

    [Fact]
    public void A_link_longer_than_a_message_can_hold_is_its_text_and_the_split_still_ends()
    {
        var markdown = new string('t', 1500) + " [x](https://example.org/" + new string('u', 4000) + ") " + new string('v', 3000);

        var parts = TelegramHtmlSplitter.Split(TelegramHtml.RenderBlocks(markdown));

        Assert.InRange(parts.Count, 2, 3);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, 4096));
        Assert.All(parts, p => Assert.Null(TelegramHtmlParser.Parse(p).Error));
    }

    [Fact]
    public void A_long_code_block_keeps_the_indentation_of_the_line_after_each_cut()
    {
        var code = "```python\n" + string.Join("\n", Enumerable.Range(1, 600).Select(i => $"    value_{i} = {i}")) + "\n```";

        var parts = TelegramHtmlSplitter.Split(TelegramHtml.RenderBlocks(code));

        Assert.True(parts.Count >= 2);
        var lines = parts.SelectMany(p => TelegramHtmlParser.Parse(p).Text!.Split('\n')).ToList();
        Assert.Equal(Enumerable.Range(1, 600).Select(i => $"    value_{i} = {i}"), lines);
    }

    [Fact]
    public void A_code_block_in_a_list_keeps_its_blank_lines()
    {
        var html = TelegramHtml.Render("1. Create the file:\n\n   ```\n   a\n\n   b\n   ```");
        Assert.Contains("<pre>a\n\nb</pre>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_text_for_the_fallback_drops_tags_and_decodes_entities()
    {
        Assert.Equal("bold & <code>", TelegramHtml.ToPlainText(TelegramHtml.Render("**bold** & `<code>`")));
    }

    [Fact]
    public void A_long_reply_splits_between_blocks_and_every_part_is_valid()
    {
        var markdown = string.Join("\n\n", Enumerable.Range(1, 60).Select(i => $"Paragraph **{i}** " + new string('x', 100)));

        var parts = TelegramHtmlSplitter.Split(TelegramHtml.RenderBlocks(markdown));

        Assert.Equal(2, parts.Count);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, 4096));
        Assert.All(parts, p => Assert.Null(TelegramHtmlParser.Parse(p).Error));
        Assert.All(parts, p => Assert.StartsWith("Paragraph <b>", p));
    }

    [Fact]
    public void A_code_block_that_would_straddle_the_cut_moves_whole_to_the_next_message()
    {
        var before = string.Join("\n\n", Enumerable.Range(1, 38).Select(_ => new string('p', 100)));
        var code = "```python\n" + string.Join("\n", Enumerable.Range(1, 20).Select(i => $"print({i})  # a_b*c")) + "\n```";

        var parts = TelegramHtmlSplitter.Split(TelegramHtml.RenderBlocks(before + "\n\n" + code + "\n\nThe end."));

        Assert.Equal(2, parts.Count);
        Assert.DoesNotContain("<pre>", parts[0], StringComparison.Ordinal);
        Assert.StartsWith("<pre><code class=\"language-python\">print(1)", parts[1], StringComparison.Ordinal);
        Assert.Contains("print(20)  # a_b*c</code></pre>", parts[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_code_block_longer_than_a_message_is_closed_and_reopened_with_its_language()
    {
        var code = "```sql\n" + string.Join("\n", Enumerable.Range(1, 400).Select(i => $"SELECT {i} FROM t WHERE a < b;")) + "\n```";

        var parts = TelegramHtmlSplitter.Split(TelegramHtml.RenderBlocks(code));

        Assert.True(parts.Count >= 2);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, 4096));
        Assert.All(parts, p => Assert.Null(TelegramHtmlParser.Parse(p).Error));
        Assert.All(parts, p => Assert.StartsWith("<pre><code class=\"language-sql\">", p, StringComparison.Ordinal));
        var lines = parts.SelectMany(p => TelegramHtmlParser.Parse(p).Text!.Split('\n')).Where(l => l.StartsWith("SELECT", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, 400).Select(i => $"SELECT {i} FROM t WHERE a < b;"), lines);
    }

    [Fact]
    public void Text_without_any_break_is_cut_hard_and_nothing_is_lost()
    {
        var text = new string('z', 10_000);

        var parts = TelegramHtmlSplitter.Split(TelegramHtml.RenderBlocks(text));

        Assert.All(parts, p => Assert.InRange(p.Length, 1, 4096));
        Assert.Equal(text, string.Concat(parts));
    }

    [Fact]
    public void A_long_bold_paragraph_is_cut_with_its_tag_closed_and_reopened()
    {
        var markdown = "**" + string.Join(' ', Enumerable.Range(1, 1500).Select(i => $"w{i}")) + "**";

        var parts = TelegramHtmlSplitter.Split(TelegramHtml.RenderBlocks(markdown));

        Assert.True(parts.Count >= 2);
        Assert.All(parts, p => Assert.Null(TelegramHtmlParser.Parse(p).Error));
        Assert.All(parts, p => Assert.StartsWith("<b>", p, StringComparison.Ordinal));
        var words = parts.SelectMany(p => TelegramHtmlParser.Parse(p).Text!.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(Enumerable.Range(1, 1500).Select(i => $"w{i}"), words);
    }
}
