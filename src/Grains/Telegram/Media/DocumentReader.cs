using System.Text;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace Assistant.Telegram.Media;

/// <summary>
/// Reads a text-like document a user sent (txt, md, csv, json, xml, yaml, log, source code) into
/// the text of their message: fetched with <c>getFile</c> and the file URL under
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
    public string Supported => $"I read text files (txt, md, csv, json, xml, yaml, log and source code) up to {options.Value.MaxDocumentBytes / 1024} KB.";

    /// <returns>The text for the model, or why the file is not read (a reply for the user).</returns>
    /// <param name="maxChars">How much of the file's text goes into the conversation (the message limit, so the context stays within its budget).</param>
    public async Task<(string? Text, string? Refusal)> ReadAsync(TelegramFile file, string caption, int maxChars, CancellationToken cancellationToken)
    {
        var name = file.FileName ?? "file";
        if (!IsTextLike(file))
        {
            return (null, $"I can't read {name} yet. {Supported}");
        }

        var limit = options.Value.MaxDocumentBytes;
        if (file.Size > limit)
        {
            return (null, $"{name} is {file.Size / 1024} KB, over my limit. {Supported}");
        }

        var info = await bot.Client.GetFile(file.FileId, cancellationToken);
        if (info.FileSize > limit || info.FilePath is null)
        {
            return (null, $"{name} is over my limit. {Supported}");
        }

        using var content = new LimitedStream(limit);
        try
        {
            await bot.Client.DownloadFile(info.FilePath, content, cancellationToken);
        }
        catch (InvalidDataException)
        {
            return (null, $"{name} is over my limit. {Supported}");
        }

        var bytes = content.ToArray();
        if (bytes.Contains((byte)0))
        {
            return (null, $"{name} does not look like text. {Supported}");
        }

        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(bytes).TrimStart('\uFEFF');
        var question = caption.Length > 0 ? caption : "Please look at this file.";
        var room = Math.Max(0, maxChars - question.Length - name.Length - 64);
        var kept = text.Length <= room ? text : text[..room] + $"\n[… the first {room} of {text.Length} characters]";
        return ($"{question}\n\n[file {name}]\n{kept}", null);
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
