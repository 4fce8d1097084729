using Microsoft.Extensions.AI;

namespace Assistant.Telegram.Media;

/// <summary>
/// What a photo, voice note or document becomes: the text the conversation keeps (never bytes),
/// and for this one question the parts the model is shown instead (a photo's caption and image);
/// or the reply that says why it is not answered.
/// </summary>
public sealed record MediaInput
{
    /// <summary>The user's message as the conversation stores it: <c>[photo] caption</c>, <c>[voice] transcript</c>, a file's name and text.</summary>
    public string? Text { get; init; }

    /// <summary>What the model gets for this question instead of <see cref="Text"/>; null: the text.</summary>
    public IList<AIContent>? Parts { get; init; }

    /// <summary>A line shown above the answer (a photo answered from its caption alone).</summary>
    public string? Preface { get; init; }

    /// <summary>The reply instead of an answer: the model is not asked.</summary>
    public string? Refusal { get; init; }

    /// <summary>With a refusal: the error it counts as (<c>download_failed</c>, <c>transcription_failed</c>), if it is one.</summary>
    public string? Error { get; init; }

    /// <summary>For a photo: what to do when the model rejects the image (answer the caption alone, or say why not).</summary>
    public MediaInput? WithoutImage { get; init; }

    public const string DownloadFailed = "download_failed";
    public const string TranscriptionFailed = "transcription_failed";

    public static MediaInput Answer(string text) => new() { Text = text };

    public static MediaInput Refuse(string reply, string? error = null) => new() { Refusal = reply, Error = error };
}
