namespace Assistant.Telegram.Formatting;

/// <summary>
/// Packs rendered blocks (<see cref="TelegramHtml.RenderBlocks"/>) into Telegram messages of at
/// most <see cref="TelegramLimit"/> characters of HTML (Telegram counts the text after its tags
/// are parsed, so this is on the safe side). A block is only cut when it alone is longer than a
/// message: at a line break if there is one, else at a space, with the tags open at the cut
/// closed at the end of the part and opened again at the start of the next, so every part is
/// balanced HTML and a long code block stays code in each part.
/// </summary>
public static class TelegramHtmlSplitter
{
    public const int TelegramLimit = 4096;

    public static IReadOnlyList<string> Split(IReadOnlyList<string> blocks, int limit = TelegramLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 64);
        var parts = new List<string>();
        var current = "";
        foreach (var block in blocks)
        {
            var joined = current.Length == 0 ? block : current + "\n\n" + block;
            if (joined.Length <= limit)
            {
                current = joined;
                continue;
            }

            if (current.Length > 0)
            {
                parts.Add(current);
            }

            var pieces = block.Length <= limit ? [block] : SplitLong(block, limit);
            parts.AddRange(pieces.Take(pieces.Count - 1));
            current = pieces[^1];
        }

        if (current.Length > 0 || parts.Count == 0)
        {
            parts.Add(current);
        }

        return parts;
    }

    /// <summary>One block longer than a message, cut into balanced parts.</summary>
    internal static List<string> SplitLong(string html, int limit)
    {
        var parts = new List<string>();
        var rest = html;
        while (rest.Length > limit)
        {
            var (cut, open) = ChooseCut(rest, limit);
            parts.Add(rest[..cut].TrimEnd(' ', '\n') + string.Concat(open.Reverse().Select(t => $"</{t.Name}>")));
            rest = string.Concat(open.Select(t => t.Tag)) + rest[cut..].TrimStart(' ', '\n');
        }

        parts.Add(rest);
        return parts;
    }

    /// <returns>Where to cut, and the tags open there (outermost first).</returns>
    private static (int Cut, IReadOnlyList<(string Name, string Tag)> Open) ChooseCut(string html, int limit)
    {
        var stack = new List<(string Name, string Tag)>();
        (int Cut, IReadOnlyList<(string, string)> Open) newline = (-1, []), space = (-1, []), any = (-1, []);
        var floor = limit / 2;
        var i = 0;
        while (i < html.Length)
        {
            if (html[i] == '<' && html.IndexOf('>', i) is var end and > 0)
            {
                var tag = html[i..(end + 1)];
                var name = TagName(tag);
                if (tag.StartsWith("</", StringComparison.Ordinal))
                {
                    var at = stack.FindLastIndex(t => t.Name == name);
                    if (at >= 0)
                    {
                        stack.RemoveRange(at, stack.Count - at);
                    }
                }
                else if (!tag.EndsWith("/>", StringComparison.Ordinal))
                {
                    stack.Add((name, tag));
                }

                i = end + 1;
            }
            else if (html[i] == '&' && html.IndexOf(';', i) is var semi and > 0 && semi - i <= 10)
            {
                i = semi + 1;
            }
            else
            {
                i += char.IsHighSurrogate(html[i]) && i + 1 < html.Length ? 2 : 1;
            }

            // i is now a position between tokens: a place a part could end.
            var closing = stack.Sum(t => t.Name.Length + 3);
            if (i + closing > limit)
            {
                break;
            }

            if (i >= floor || any.Cut < 0)
            {
                var snapshot = stack.ToArray();
                any = (i, snapshot);
                if (i < html.Length && html[i] == '\n')
                {
                    newline = (i, snapshot);
                }
                else if (i < html.Length && html[i] == ' ')
                {
                    space = (i, snapshot);
                }
            }
        }

        var chosen = newline.Cut >= floor ? newline : space.Cut >= floor ? space : any;
        return chosen.Cut > 0 ? chosen : (Math.Min(limit, html.Length), []);
    }

    private static string TagName(string tag)
    {
        var start = tag.StartsWith("</", StringComparison.Ordinal) ? 2 : 1;
        var end = start;
        while (end < tag.Length && (char.IsLetterOrDigit(tag[end]) || tag[end] == '-'))
        {
            end++;
        }

        return tag[start..end];
    }
}
