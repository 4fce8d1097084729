using System.Net;
using System.Text;

namespace Assistant.Fakes.Telegram;

/// <summary>
/// Parses text sent with <c>parse_mode=HTML</c> as the Bot API does: only its tags (b, strong, i,
/// em, u, ins, s, strike, del, span class="tg-spoiler", tg-spoiler, a href, code, pre, blockquote,
/// tg-emoji), each closed in order and nested as the Bot API allows; &lt;, &gt; and &amp; escaped outside tags; only the named
/// entities &amp;lt; &amp;gt; &amp;amp; &amp;quot; and numeric ones. Returns the text a client shows,
/// or the error Telegram would give.
/// </summary>
public static class TelegramHtmlParser
{
    private static readonly HashSet<string> Tags = ["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"];

    public static (string? Text, string? Error) Parse(string html)
    {
        var text = new StringBuilder(html.Length);
        var open = new Stack<string>();
        for (var i = 0; i < html.Length; i++)
        {
            var c = html[i];
            if (c == '<')
            {
                var end = html.IndexOf('>', i);
                if (end < 0)
                {
                    return (null, $"Unclosed start tag at byte offset {i}");
                }

                var tag = html[(i + 1)..end];
                var closing = tag.StartsWith('/');
                var name = new string(tag.TrimStart('/').TakeWhile(ch => char.IsLetterOrDigit(ch) || ch == '-').ToArray()).ToLowerInvariant();
                if (!Tags.Contains(name))
                {
                    return (null, $"Unsupported start tag \"{name}\" at byte offset {i}");
                }

                if (closing)
                {
                    if (open.Count == 0 || open.Pop() != name)
                    {
                        return (null, $"Unmatched end tag at byte offset {i}, expected \"</{(open.Count == 0 ? "" : open.Peek())}>\", found \"</{name}>\"");
                    }
                }
                else
                {
                    if (name == "span" && !tag.Contains("tg-spoiler", StringComparison.Ordinal))
                    {
                        return (null, $"Tag \"span\" must have class \"tg-spoiler\" at byte offset {i}");
                    }

                    if (name == "a" && !tag.Contains("href=", StringComparison.Ordinal))
                    {
                        return (null, $"Tag \"a\" must have an href at byte offset {i}");
                    }

                    if (open.Contains("pre") && name is not "code" || open.Contains("code"))
                    {
                        return (null, $"Can't use tag \"{name}\" inside a code block at byte offset {i}");
                    }

                    // The Bot API's nesting rules: code and pre are part of no other entity, quotes
                    // do not nest, and a link holds no other link.
                    if (name is "code" or "pre" && open.Any(o => o != "pre" && o != "blockquote"))
                    {
                        return (null, $"Tag \"{name}\" can't be nested in \"{open.Peek()}\" at byte offset {i}");
                    }

                    if (name == "blockquote" && open.Contains("blockquote") || name == "a" && open.Contains("a"))
                    {
                        return (null, $"Tag \"{name}\" can't be nested in itself at byte offset {i}");
                    }

                    open.Push(name);
                }

                i = end;
            }
            else if (c == '>')
            {
                return (null, $"Character '>' is reserved and must be escaped at byte offset {i}");
            }
            else if (c == '&')
            {
                var semi = html.IndexOf(';', i);
                var entity = semi < 0 ? "" : html[i..(semi + 1)];
                if (entity is not ("&lt;" or "&gt;" or "&amp;" or "&quot;") && !(entity.StartsWith("&#", StringComparison.Ordinal) && entity.Length > 3))
                {
                    return (null, $"Character '&' is reserved and must be escaped at byte offset {i}");
                }

                text.Append(WebUtility.HtmlDecode(entity));
                i = semi;
            }
            else
            {
                text.Append(c);
            }
        }

        return open.Count > 0
            ? (null, $"Can't find end tag corresponding to start tag \"{open.Peek()}\"")
            : (text.ToString(), null);
    }
}
