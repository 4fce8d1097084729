using System.Text;
using Microsoft.Extensions.Options;

namespace Assistant.Telegram.Media;

/// <summary>
/// Reads a text-like document a user sent (txt, md, csv, json, xml, yaml, log, source code), or
/// a PDF's text layer (with PdfPig), into the text of their message, at most
/// <c>Telegram:MaxDocumentBytes</c>, as UTF-8. Anything else, or anything over the limit, is
/// refused with a reply that says what is read and the limit.
/// </summary>
public sealed class DocumentReader(TelegramFiles files, IOptions<TelegramOptions> options)
{
    private static readonly HashSet<string> TextExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".txt", ".md", ".markdown", ".csv", ".tsv", ".json", ".xml", ".yaml", ".yml", ".log", ".ini", ".toml", ".conf", ".cfg",
        ".cs", ".py", ".js", ".ts", ".java", ".kt", ".go", ".rs", ".c", ".h", ".cpp", ".hpp", ".rb", ".php", ".sh", ".sql", ".html", ".css", ".swift",
    };

    /// <summary>What the bot says it reads, for the refusals.</summary>
    public string Supported => $"I read text files (txt, md, csv, json, xml, yaml, log and source code) and PDFs with a text layer, up to {options.Value.MaxDocumentBytes / 1024} KB.";

    /// <param name="maxChars">How much of the file's text goes into the conversation (the message limit, so the context stays within its budget).</param>
    public async Task<MediaInput> ReadAsync(TelegramFile file, string caption, int maxChars, CancellationToken cancellationToken)
    {
        var name = file.FileName ?? "file";
        var pdf = IsPdf(file);
        if (!pdf && !IsTextLike(file))
        {
            return MediaInput.Refuse($"I can't read {name} yet. {Supported}");
        }

        var download = await files.FetchAsync(file, options.Value.MaxDocumentBytes, cancellationToken);
        if (download.OverLimit)
        {
            var limit = options.Value.MaxDocumentBytes;
            return MediaInput.Refuse(file.Size > limit ? $"{name} is {file.Size / 1024} KB, over my limit. {Supported}" : $"{name} is over my limit. {Supported}");
        }

        if (download.Bytes is not { } bytes)
        {
            return MediaInput.Refuse($"I couldn't fetch {name} from Telegram ({download.Unavailable}). {Supported}", MediaInput.DownloadFailed);
        }

        string text;
        if (pdf)
        {
            if (PdfText(bytes) is not { } layer)
            {
                return MediaInput.Refuse($"{name} has no text I can read (a scan, or not a PDF). {Supported}");
            }

            text = layer;
        }
        else if (bytes.Contains((byte)0))
        {
            return MediaInput.Refuse($"{name} does not look like text. {Supported}");
        }
        else
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(bytes).TrimStart('\uFEFF');
        }

        var question = caption.Length > 0 ? caption : "Please look at this file.";
        var room = Math.Max(0, maxChars - question.Length - name.Length - 64);
        return MediaInput.Answer($"{question}\n\n[file {name}]\n{MediaText.Within(text, room)}");
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
}
