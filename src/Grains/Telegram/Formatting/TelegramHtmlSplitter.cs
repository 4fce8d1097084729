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

        parts.Add(current);

        // Telegram refuses a message with no text (an emptied tag pair left by a cut, say).
        var shown = parts.Where(p => TelegramHtml.ToPlainText(p).Trim().Length > 0).ToList();
        return shown.Count > 0 ? shown : [""];
    }

    /// <summary>One block longer than a message, cut into balanced parts.</summary>
    internal static List<string> SplitLong(string html, int limit)
    {
        var parts = new List<string>();
        var rest = html;
        while (rest.Length > limit)
        {
            var (cut, open) = ChooseCut(rest, limit);
            var reopened = string.Concat(open.Select(t => t.Tag));
            if (cut <= 0 || TelegramHtml.ToPlainText(rest[..cut]).Trim().Length == 0)
            {
                // No cut leaves text in the part (a tag about as long as a message): the rest goes as plain text.
                parts.AddRange(PlainChunks(TelegramHtml.ToPlainText(rest), limit));
                return parts;
            }

            // In code the indentation of the next line is kept; elsewhere the cut's spaces go.
            var inCode = open.Any(t => t.Name is "pre" or "code");
            parts.Add(rest[..cut].TrimEnd(' ', '\n') + string.Concat(open.Reverse().Select(t => $"</{t.Name}>")));
            rest = reopened + (inCode ? rest[cut..].TrimStart('\n') : rest[cut..].TrimStart(' ', '\n'));
        }

        parts.Add(rest);
        return parts;
    }

    /// <summary>Plain text as escaped chunks that fit a message however much escaping grows them.</summary>
    private static IEnumerable<string> PlainChunks(string text, int limit)
    {
        var size = limit / 5; // "&amp;" is five characters for one
        for (var at = 0; at < text.Length; at += size)
        {
            var length = Math.Min(size, text.Length - at);
            if (length < text.Length - at && char.IsHighSurrogate(text[at + length - 1]))
            {
                length--;
            }

            yield return TelegramHtml.Escape(text.Substring(at, length));
            at -= size - length;
        }
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

            var snapshot = stack.ToArray();
            any = (i, snapshot); // the furthest cut that fits, wherever it is
            if (i >= floor && i < html.Length && html[i] == '\n')
            {
                newline = (i, snapshot);
            }
            else if (i >= floor && i < html.Length && html[i] == ' ')
            {
                space = (i, snapshot);
            }
        }

        return newline.Cut >= floor ? newline : space.Cut >= floor ? space : any;
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
