using System.Net;
using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Assistant.Telegram.Formatting;

/// <summary>
/// Renders a model's Markdown to the HTML subset Telegram accepts (<c>b</c>, <c>i</c>, <c>s</c>,
/// <c>code</c>, <c>pre</c> with a language class, <c>a</c>, <c>blockquote</c>), with Markdig:
/// headings bold, lists as bullets, tables as preformatted text, raw HTML and everything else
/// escaped. Telegram's legacy Markdown mode rejected ordinary model output (an underscore in a
/// word, <c>**bold**</c>, headings, tables); this accepts any input and escapes what it does not render.
/// </summary>
public static partial class TelegramHtml
{
    private const int MaxUrlLength = 1024;

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras(Markdig.Extensions.EmphasisExtras.EmphasisExtraOptions.Strikethrough)
        .UseAutoLinks()
        .Build();

    /// <summary>The rendered blocks of <paramref name="markdown"/>, in order; each is balanced HTML on its own.</summary>
    public static IReadOnlyList<string> RenderBlocks(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        var blocks = new List<string>();
        foreach (var block in document)
        {
            var html = new StringBuilder();
            Block(block, html, indent: "");
            var text = html.ToString().Trim('\n');
            if (ToPlainText(text).Trim().Length > 0)
            {
                blocks.Add(text); // not an empty heading, fence or quote: Telegram refuses a message with no text
            }
        }

        // Text that renders to nothing (only link definitions, say) is still shown, as typed.
        if (blocks.Count == 0 && markdown.Trim().Length > 0)
        {
            blocks.Add(Escape(markdown.Trim()));
        }

        return blocks;
    }

    /// <summary>The whole of <paramref name="markdown"/> as one HTML text, blocks separated by a blank line.</summary>
    public static string Render(string markdown) => string.Join("\n\n", RenderBlocks(markdown));

    /// <summary>What Telegram shows of <paramref name="html"/> as plain text: tags dropped, entities decoded.</summary>
    public static string ToPlainText(string html)
    {
        var plain = new StringBuilder(html.Length);
        for (var i = 0; i < html.Length; i++)
        {
            if (html[i] == '<')
            {
                var end = html.IndexOf('>', i);
                if (end > i)
                {
                    i = end;
                    continue;
                }
            }

            plain.Append(html[i]);
        }

        return WebUtility.HtmlDecode(plain.ToString());
    }

    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <param name="quoted">Inside a quote: Telegram does not nest quotes, so an inner one joins the outer.</param>
    private static void Block(Block block, StringBuilder html, string indent, bool quoted = false)
    {
        switch (block)
        {
            case HeadingBlock heading:
                html.Append("<b>");
                Inlines(heading.Inline, html, formatted: true);
                html.Append("</b>\n\n");
                break;
            case ParagraphBlock paragraph:
                Inlines(paragraph.Inline, html);
                html.Append("\n\n");
                break;
            case FencedCodeBlock fenced:
                Code(fenced.Lines.ToString(), fenced.Info, html);
                break;
            case HtmlBlock raw:
                html.Append(Escape(raw.Lines.ToString())).Append("\n\n");
                break;
            case CodeBlock code:
                Code(code.Lines.ToString(), null, html);
                break;
            case ListBlock list:
                List(list, html, indent, quoted);
                break;
            case QuoteBlock quote when quoted:
                foreach (var child in quote)
                {
                    Block(child, html, indent, quoted);
                }

                break;
            case QuoteBlock quote:
                var inner = new StringBuilder();
                foreach (var child in quote)
                {
                    Block(child, inner, indent: "", quoted: true);
                }

                html.Append("<blockquote>").Append(inner.ToString().Trim('\n')).Append("</blockquote>\n\n");
                break;
            case Table table:
                Code(TableText(table), null, html);
                break;
            case ThematicBreakBlock:
                html.Append("——————\n\n");
                break;
            case LinkReferenceDefinitionGroup:
                break;
            case ContainerBlock container:
                foreach (var child in container)
                {
                    Block(child, html, indent, quoted);
                }

                break;
            case LeafBlock leaf:
                if (leaf.Inline is not null)
                {
                    Inlines(leaf.Inline, html);
                }
                else
                {
                    html.Append(Escape(leaf.Lines.ToString()));
                }

                html.Append("\n\n");
                break;
        }
    }

    private static void Code(string code, string? language, StringBuilder html)
    {
        var body = Escape(code.TrimEnd('\n'));
        var lang = language?.Trim().Split(' ', 2)[0];
        if (!string.IsNullOrEmpty(lang) && lang.All(c => char.IsLetterOrDigit(c) || c is '-' or '+' or '#' or '_' or '.'))
        {
            html.Append("<pre><code class=\"language-").Append(lang).Append("\">").Append(body).Append("</code></pre>\n\n");
        }
        else
        {
            html.Append("<pre>").Append(body).Append("</pre>\n\n");
        }
    }

    private static void List(ListBlock list, StringBuilder html, string indent, bool quoted)
    {
        var number = int.TryParse(list.OrderedStart, out var start) ? start : 1;
        foreach (var item in list.OfType<ListItemBlock>())
        {
            var marker = list.IsOrdered ? $"{number++}. " : "• ";
            var content = new StringBuilder();
            foreach (var child in item)
            {
                if (child is ListBlock nested)
                {
                    content.Append('\n');
                    List(nested, content, indent + "    ", quoted);
                }
                else
                {
                    Block(child, content, indent, quoted);
                }
            }

            var body = content.ToString().Trim('\n');
            html.Append(indent).Append(marker).Append(body.Contains("<pre>", StringComparison.Ordinal) ? body : BlankLines().Replace(body, "\n")).Append('\n');
        }

        html.Append('\n');
    }

    /// <param name="formatted">
    /// Inside bold, italics, strikethrough or a link: Telegram lets no code entity be part of those,
    /// so inline code there is plain text (links may sit in emphasis, and emphasis in links).
    /// </param>
    private static void Inlines(ContainerInline? container, StringBuilder html, bool formatted = false)
    {
        for (var inline = container?.FirstChild; inline is not null; inline = inline.NextSibling)
        {
            Inline(inline, html, formatted);
        }
    }

    private static void Inline(Inline inline, StringBuilder html, bool formatted)
    {
        switch (inline)
        {
            case LiteralInline literal:
                html.Append(Escape(literal.Content.ToString()));
                break;
            case CodeInline code when formatted:
                html.Append(Escape(code.Content));
                break;
            case CodeInline code:
                html.Append("<code>").Append(Escape(code.Content)).Append("</code>");
                break;
            case EmphasisInline emphasis:
                var tag = emphasis.DelimiterChar == '~' ? "s" : emphasis.DelimiterCount >= 2 ? "b" : "i";
                html.Append('<').Append(tag).Append('>');
                Inlines(emphasis, html, formatted: true);
                html.Append("</").Append(tag).Append('>');
                break;
            case LinkInline link when Safe(link.GetDynamicUrl?.Invoke() ?? link.Url) is { } url:
                html.Append("<a href=\"").Append(Attribute(url)).Append("\">");
                var before = html.Length;
                Inlines(link, html, formatted: true);
                if (html.Length == before)
                {
                    html.Append(Escape(url));
                }

                html.Append("</a>");
                break;
            case LinkInline link:
                // A link Telegram would refuse (another scheme, an overlong URL): its text.
                Inlines(link, html, formatted);
                break;
            case AutolinkInline auto when Safe(auto.IsEmail ? "mailto:" + auto.Url : auto.Url) is { } target:
                html.Append("<a href=\"").Append(Attribute(target)).Append("\">").Append(Escape(auto.Url)).Append("</a>");
                break;
            case AutolinkInline auto:
                html.Append(Escape(auto.Url));
                break;
            case LineBreakInline:
                html.Append('\n');
                break;
            case HtmlInline raw:
                html.Append(Escape(raw.Tag));
                break;
            case HtmlEntityInline entity:
                html.Append(Escape(entity.Transcoded.ToString()));
                break;
            case ContainerInline container:
                Inlines(container, html, formatted);
                break;
        }
    }

    private static string Attribute(string url) => Escape(url).Replace("\"", "&quot;", StringComparison.Ordinal);

    /// <summary>A URL Telegram takes in a link, short enough that a message can hold it with room to spare.</summary>
    private static string? Safe(string? url) =>
        url is not null && url.Length <= MaxUrlLength && (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("tg://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
            ? url
            : null;

    [System.Text.RegularExpressions.GeneratedRegex("\n{2,}")]
    private static partial System.Text.RegularExpressions.Regex BlankLines();

    /// <summary>A table as aligned columns of plain text, for a <c>pre</c> block.</summary>
    private static string TableText(Table table)
    {
        var rows = table.OfType<TableRow>().Select(r => r.OfType<TableCell>().Select(CellText).ToList()).ToList();
        var columns = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => c < r.Count ? r[c].Length : 0)).ToArray();
        var text = new StringBuilder();
        for (var r = 0; r < rows.Count; r++)
        {
            text.Append(string.Join(" | ", Enumerable.Range(0, columns).Select(c => (c < rows[r].Count ? rows[r][c] : "").PadRight(widths[c]))).TrimEnd()).Append('\n');
            if (r == 0 && table.OfType<TableRow>().First().IsHeader)
            {
                text.Append(string.Join("-+-", widths.Select(w => new string('-', w)))).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string CellText(TableCell cell)
    {
        var html = new StringBuilder();
        foreach (var block in cell)
        {
            Block(block, html, indent: "");
        }

        return ToPlainText(html.ToString()).Trim().Replace('\n', ' ');
    }
}
