using OpenAI.Audio;

namespace Assistant.Models;

/// <summary>
/// Voice to text through an OpenAI-compatible <c>/v1/audio/transcriptions</c>
/// (<c>AI:TranscriptionEndpoint</c>, else <c>AI:Endpoint</c>; model <c>AI:TranscriptionModel</c>),
/// with the model's retries. Null client: nothing is configured and voice is refused with a reply.
/// </summary>
/// <remarks>
/// OpenAI's <see cref="AudioClient"/> rather than Microsoft.Extensions.AI's speech-to-text
/// abstraction: the abstraction's OpenAI adapter (10.11) names an upload by its leading bytes and
/// knows WAV, M4A and MP3 only, so a Telegram voice note (Opus in Ogg) would go up as
/// <c>audio.mp3</c>; the API reads the format from the name.
/// </remarks>
public sealed class SpeechToText(AudioClient? client)
{
    public bool Available => client is not null;

    /// <param name="fileName">The name the upload carries; its extension tells the API the format (<c>voice.ogg</c>).</param>
    /// <returns>The transcript, trimmed; empty when no words were heard.</returns>
    public async Task<string> TranscribeAsync(byte[] audio, string fileName, CancellationToken cancellationToken)
    {
        if (client is null)
        {
            throw new InvalidOperationException("No transcription endpoint is configured (AI:TranscriptionEndpoint or AI:Endpoint).");
        }

        using var stream = new MemoryStream(audio, writable: false);
        var transcription = await client.TranscribeAudioAsync(stream, fileName, cancellationToken: cancellationToken);
        return transcription.Value.Text?.Trim() ?? "";
    }

    private static readonly HashSet<string> Formats = new(StringComparer.OrdinalIgnoreCase)
    {
        ".flac", ".m4a", ".mp3", ".mp4", ".mpeg", ".mpga", ".oga", ".ogg", ".wav", ".webm",
    };

    /// <summary>
    /// The name the upload carries: the user's own when its extension is a format the API reads,
    /// else one that matches the audio's type (a voice note has no name: Opus in Ogg).
    /// </summary>
    public static string FileNameFor(string? fileName, string? mimeType) =>
        fileName is not null && Formats.Contains(Path.GetExtension(fileName)) ? fileName : mimeType switch
        {
            "audio/mpeg" or "audio/mp3" => "audio.mp3",
            "audio/mp4" or "audio/m4a" or "audio/x-m4a" => "audio.m4a",
            "audio/wav" or "audio/x-wav" => "audio.wav",
            "audio/webm" => "audio.webm",
            "audio/flac" or "audio/x-flac" => "audio.flac",
            _ => "voice.ogg",
        };
}
