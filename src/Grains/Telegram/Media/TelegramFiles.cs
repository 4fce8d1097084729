using Telegram.Bot;

namespace Assistant.Telegram.Media;

/// <summary>What became of fetching a file: its bytes, or why there are none.</summary>
public sealed record FileDownload(byte[]? Bytes, bool OverLimit, string? Unavailable)
{
    public static FileDownload Of(byte[] bytes) => new(bytes, false, null);

    public static readonly FileDownload TooLarge = new(null, true, null);

    public static FileDownload Refused(string why) => new(null, false, why);
}

/// <summary>
/// Fetches a file a user sent: <c>getFile</c>, then the file URL under <c>Telegram:ApiBaseUrl</c>
/// (so a local Bot API server works), never reading more than the limit into memory.
/// Network failures and 5xx are thrown, so the turn is retried with backoff like any failed attempt.
/// </summary>
public sealed class TelegramFiles(TelegramBot bot)
{
    public async Task<FileDownload> FetchAsync(TelegramFile file, long limit, CancellationToken cancellationToken)
    {
        if (file.Size > limit)
        {
            return FileDownload.TooLarge;
        }

        global::Telegram.Bot.Types.TGFile info;
        try
        {
            info = await bot.Client.GetFile(file.FileId, cancellationToken);
        }
        catch (global::Telegram.Bot.Exceptions.ApiRequestException ex) when (IsFinal(ex.ErrorCode))
        {
            // Telegram will not hand it out (over its own 20 MB, or gone): asking again changes nothing.
            // Its description is Telegram's own words, safe to show.
            return FileDownload.Refused(ex.Message);
        }

        if (info.FileSize > limit)
        {
            return FileDownload.TooLarge;
        }

        if (info.FilePath is null)
        {
            return FileDownload.Refused("Telegram gave no path to download it from");
        }

        using var content = new LimitedStream(limit);
        try
        {
            await bot.Client.DownloadFile(info.FilePath, content, cancellationToken);
        }
        catch (Exception ex) when (StoppedAtLimit(ex))
        {
            return FileDownload.TooLarge;
        }
        catch (global::Telegram.Bot.Exceptions.ApiRequestException ex) when (IsFinal(ex.ErrorCode))
        {
            // The file server's JSON error; only the code: the file URL carries the bot token and is never shown.
            return FileDownload.Refused($"the download answered {ex.ErrorCode}");
        }
        catch (global::Telegram.Bot.Exceptions.RequestException ex) when (ex.HttpStatusCode is { } status && IsFinal((int)status))
        {
            // Only the status: the file URL carries the bot token and is never shown.
            return FileDownload.Refused($"the download answered HTTP {(int)status}");
        }

        return FileDownload.Of(content.ToArray());
    }

    /// <summary>A 4xx other than 429: the same request will fail the same way. 429 and 5xx are thrown and retried with the turn.</summary>
    private static bool IsFinal(int status) => status is >= 400 and < 500 and not 429;

    /// <summary>Whether the download stopped at the limit (Telegram.Bot wraps what the stream throws).</summary>
    private static bool StoppedAtLimit(Exception? ex)
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

        private void Check(int count)
        {
            if (Length + count > limit)
            {
                throw new InvalidDataException($"The file is larger than its limit ({limit} bytes).");
            }
        }
    }
}
