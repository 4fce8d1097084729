namespace Assistant.Telegram;

/// <summary>
/// Splits a reply into Telegram messages of at most 4,096 characters, at a paragraph break if
/// there is one, else at a line break, else at a space, and never inside a code block when a
/// cut outside one exists. A code block longer than a message is cut at a line and its fence
/// closed and reopened, so every part renders as code.
/// </summary>
public static class MessageSplitter
{
    public const int TelegramLimit = 4096;
    private const string Fence = "```";

    public static IReadOnlyList<string> Split(string text, int limit = TelegramLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 64);
        var parts = new List<string>();
        var rest = text;
        while (rest.Length > limit)
        {
            var (cut, openFence) = ChooseCut(rest, limit);
            var part = rest[..cut].TrimEnd();
            var next = rest[cut..].TrimStart('\n', '\r');
            if (openFence is not null)
            {
                part += "\n" + Fence;
                next = openFence + "\n" + next;
            }

            parts.Add(part);
            rest = next;
        }

        if (rest.Trim().Length > 0 || parts.Count == 0)
        {
            parts.Add(rest);
        }

        return parts;
    }

    /// <returns>Where to cut, and the fence line to reopen when the cut falls inside a code block.</returns>
    private static (int Cut, string? OpenFence) ChooseCut(string text, int limit)
    {
        // Keep room to close a fence ("\n```") should the cut land inside a code block.
        var window = limit - Fence.Length - 1;
        var fences = FenceStarts(text, window);
        var floor = window / 2;

        var paragraph = LastOutsideCode(text, "\n\n", window, floor, fences);
        if (paragraph > 0)
        {
            return (paragraph, null);
        }

        var line = LastOutsideCode(text, "\n", window, floor, fences);
        if (line > 0)
        {
            return (line, null);
        }

        var anyLine = text.LastIndexOf('\n', window - 1, window - floor);
        if (anyLine > 0)
        {
            return (anyLine + 1, OpenFenceAt(text, anyLine + 1, fences));
        }

        var space = text.LastIndexOf(' ', window - 1, window - floor);
        var cut = space > 0 ? space + 1 : window;
        return (cut, OpenFenceAt(text, cut, fences));
    }

    private static int LastOutsideCode(string text, string separator, int window, int floor, List<(int Start, string Line)> fences)
    {
        for (var at = text.LastIndexOf(separator, window - separator.Length, StringComparison.Ordinal);
             at >= floor;
             at = at == 0 ? -1 : text.LastIndexOf(separator, at - 1, StringComparison.Ordinal))
        {
            var cut = at + separator.Length;
            if (OpenFenceAt(text, cut, fences) is null)
            {
                return cut;
            }
        }

        return -1;
    }

    /// <summary>The fence line that opened the code block containing <paramref name="position"/>, or null outside code.</summary>
    private static string? OpenFenceAt(string text, int position, List<(int Start, string Line)> fences)
    {
        string? open = null;
        foreach (var (start, line) in fences)
        {
            if (start >= position)
            {
                break;
            }

            open = open is null ? line : null;
        }

        return open;
    }

    /// <summary>Lines that start with ``` up to <paramref name="end"/>, with their start index.</summary>
    private static List<(int Start, string Line)> FenceStarts(string text, int end)
    {
        var fences = new List<(int, string)>();
        var lineStart = 0;
        while (lineStart < Math.Min(text.Length, end))
        {
            var lineEnd = text.IndexOf('\n', lineStart);
            if (lineEnd < 0)
            {
                lineEnd = text.Length;
            }

            var line = text[lineStart..lineEnd].TrimEnd('\r');
            if (line.TrimStart().StartsWith(Fence, StringComparison.Ordinal))
            {
                fences.Add((lineStart, line.Trim()));
            }

            lineStart = lineEnd + 1;
        }

        return fences;
    }
}
