using Assistant.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Assistant.Telegram.Media;

/// <summary>
/// A photo becomes an image part for the model with its caption as the text (a default question
/// when there is none): the largest size Telegram offers within <c>Telegram:MaxPhotoBytes</c>.
/// The conversation keeps <c>[photo] caption</c>, never the image. With <c>AI:Vision=false</c>,
/// the offline provider, or when the model rejects the image, the caption is answered alone under a line that says so.
/// </summary>
public sealed class PhotoReader(TelegramFiles files, IOptions<TelegramOptions> telegram, IOptions<AiOptions> ai)
{
    public const string DefaultQuestion = "What is in this picture?";
    public const string Marker = "[photo]";
    public const string CaptionOnly = "(This model can't look at images, so I answered your caption only.)";
    public const string NoImages = "This model can't look at images, so I can't see your photo. Tell me in words what you'd like to know and I'll answer.";

    public async Task<MediaInput> ReadAsync(IReadOnlyList<TelegramFile> sizes, string caption, CancellationToken cancellationToken)
    {
        var textOnly = caption.Length > 0
            ? new MediaInput { Text = $"{Marker} {caption}", Preface = CaptionOnly }
            : MediaInput.Refuse(NoImages);
        if (!ai.Value.Vision || ai.Value.EffectiveProvider == AiProvider.Offline)
        {
            return textOnly;
        }

        var limit = telegram.Value.MaxPhotoBytes;
        var size = Choose(sizes, limit);
        if (size is null)
        {
            return MediaInput.Refuse($"Your photo is larger than my limit of {limit / (1024 * 1024.0):0.#} MB even at its smallest size. Please send a smaller one.");
        }

        var download = await files.FetchAsync(size, limit, cancellationToken);
        if (download.OverLimit)
        {
            return MediaInput.Refuse($"Your photo is larger than my limit of {limit / (1024 * 1024.0):0.#} MB. Please send a smaller one.");
        }

        if (download.Bytes is not { } bytes)
        {
            return MediaInput.Refuse($"I couldn't fetch your photo from Telegram ({download.Unavailable}). Please send it again.", MediaInput.DownloadFailed);
        }

        var question = caption.Length > 0 ? caption : DefaultQuestion;
        return new MediaInput
        {
            Text = $"{Marker} {question}",
            Parts = [new TextContent(question), new DataContent(bytes, size.MimeType ?? "image/jpeg")],
            WithoutImage = textOnly,
        };
    }

    /// <summary>The largest size within the limit (Telegram lists them smallest first); a size it did not state counts as fitting.</summary>
    internal static TelegramFile? Choose(IReadOnlyList<TelegramFile> sizes, long limit) =>
        sizes.Where(s => (s.Size ?? 0) <= limit).OrderBy(s => s.Size ?? 0).LastOrDefault();
}
