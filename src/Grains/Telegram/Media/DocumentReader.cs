using System.Text;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace Assistant.Telegram.Media;

/// <summary>
/// Reads a text-like document a user sent (txt, md, csv, json, xml, yaml, log, source code), or
/// a PDF's text layer (with PdfPig), into the text of their message: fetched with <c>getFile</c> and the file URL under
/// <c>Telegram:ApiBaseUrl</c>, at most <c>Telegram:MaxDocumentBytes</c>, as UTF-8. Anything else,
/// or anything over the limit, is refused with a reply that says what is read and the limit.
/// </summary>
public sealed class DocumentReader(TelegramBot bot, IOptions<TelegramOptions> options)
{
    private static readonly HashSet<string> TextExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".txt", ".md", ".markdown", ".csv", ".tsv", ".json", ".xml", ".yaml", ".yml", ".log", ".ini", ".toml", ".conf", ".cfg",
        ".cs", ".py", ".js", ".ts", ".java", ".kt", ".go", ".rs", ".c", ".h", ".cpp", ".hpp", ".rb", ".php", ".sh", ".sql", ".html", ".css", ".swift",
    };

    /// <summary>What the bot says it reads, for the refusals.</summary>
    public string Supported => $"I read text files (txt, md, csv, json, xml, yaml, log and source code) and PDFs with a text layer, up to {options.Value.MaxDocumentBytes / 1024} KB.";

    /// <returns>The text for the model, or why the file is not read (a reply for the user).</returns>
    /// <param name="maxChars">How much of the file's text goes into the conversation (the message limit, so the context stays within its budget).</param>
    public async Task<(string? Text, string? Refusal)> ReadAsync(TelegramFile file, string caption, int maxChars, CancellationToken cancellationToken)
    {
        var name = file.FileName ?? "file";
        var pdf = IsPdf(file);
        if (!pdf && !IsTextLike(file))
        {
            return (null, $"I can't read {name} yet. {Supported}");
        }

        var limit = options.Value.MaxDocumentBytes;
        if (file.Size > limit)
        {
            return (null, $"{name} is {file.Size / 1024} KB, over my limit. {Supported}");
        }

        global::Telegram.Bot.Types.TGFile info;
        try
        {
            info = await bot.Client.GetFile(file.FileId, cancellationToken);
        }
        catch (global::Telegram.Bot.Exceptions.ApiRequestException ex) when (ex.ErrorCode == 400)
        {
            // Telegram will not hand it out (over its own 20 MB, or gone): asking again changes nothing.
            return (null, $"I couldn't fetch {name} from Telegram ({ex.Message}). {Supported}");
        }

        if (info.FileSize > limit || info.FilePath is null)
        {
            return (null, $"{name} is over my limit. {Supported}");
        }

        using var content = new LimitedStream(limit);
        try
        {
            await bot.Client.DownloadFile(info.FilePath, content, cancellationToken);
        }
        catch (Exception ex) when (OverLimit(ex))
        {
            return (null, $"{name} is over my limit. {Supported}");
        }

        var bytes = content.ToArray();
        string text;
        if (pdf)
        {
            if (PdfText(bytes) is not { } layer)
            {
                return (null, $"{name} has no text I can read (a scan, or not a PDF). {Supported}");
            }

            text = layer;
        }
        else if (bytes.Contains((byte)0))
        {
            return (null, $"{name} does not look like text. {Supported}");
        }
        else
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(bytes).TrimStart('\uFEFF');
        }
        var question = caption.Length > 0 ? caption : "Please look at this file.";
        var room = Math.Max(0, maxChars - question.Length - name.Length - 64);
        if (room > 0 && room < text.Length && char.IsHighSurrogate(text[room - 1]))
        {
            room--; // not half a character
        }

        var kept = text.Length <= room ? text : text[..room] + $"\n[… the first {room} of {text.Length} characters]";
        return ($"{question}\n\n[file {name}]\n{kept}", null);
    }

    /// <summary>Whether the download stopped at the limit (Telegram.Bot wraps what the stream throws).</summary>
    private static bool OverLimit(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is InvalidDataException)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsPdf(TelegramFile file) =>
        file.MimeType == "application/pdf" || string.Equals(Path.GetExtension(file.FileName ?? ""), ".pdf", StringComparison.OrdinalIgnoreCase);

    /// <summary>The text layer, page by page; null when there is none or the bytes are no PDF.</summary>
    private static string? PdfText(byte[] bytes)
    {
        try
        {
            using var document = UglyToad.PdfPig.PdfDocument.Open(bytes);
            var pages = document.GetPages()
                .Select(p => string.Join(' ', p.GetWords().Select(w => w.Text)))
                .Where(t => t.Length > 0)
                .ToList();
            return pages.Count == 0 ? null : string.Join("\n\n", pages);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null; // PdfPig throws its own exception types for damaged or encrypted files
        }
    }

    private static bool IsTextLike(TelegramFile file) =>
        file.MimeType?.StartsWith("text/", StringComparison.OrdinalIgnoreCase) == true
        || file.MimeType is "application/json" or "application/xml" or "application/x-yaml"
        || TextExtensions.Contains(Path.GetExtension(file.FileName ?? ""));

    /// <summary>A buffer that refuses to grow past the limit, so a file larger than it said is not read whole.</summary>
    private sealed class LimitedStream(long limit) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            Check(count);
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Check(buffer.Length);
            base.Write(buffer);
        }

        private void Check(int count)
        {
            if (Length + count > limit)
            {
                throw new InvalidDataException($"The file is larger than Telegram:MaxDocumentBytes ({limit} bytes).");
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
    }
}
