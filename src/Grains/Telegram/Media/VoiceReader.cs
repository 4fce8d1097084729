using Assistant.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Telegram.Media;

/// <summary>
/// A voice note or audio file, up to <c>Telegram:MaxAudioSeconds</c>, is transcribed
/// (<see cref="SpeechToText"/>) and the transcript becomes the user's message:
/// <c>[voice] transcript</c>. A failed transcription gets a reply that names the failure.
/// </summary>
public sealed partial class VoiceReader(TelegramFiles files, SpeechToText speech, IOptions<TelegramOptions> options, ILogger<VoiceReader> logger)
{
    public const string Marker = "[voice]";

    /// <summary>Telegram hands bots files of at most 20 MB; a voice note within the time limit is far smaller.</summary>
    public const long MaxAudioBytes = 20 * 1024 * 1024;

    public const string NotConfigured = "I can't listen to voice messages here: this service has no speech-to-text model configured (an operator can set AI__TranscriptionEndpoint). Please type your message.";

    public const string NoSpeechToText = "I can't listen to voice messages here: the configured AI endpoint has no speech-to-text (an operator can set AI__TranscriptionEndpoint). Please type your message.";

    public async Task<MediaInput> ReadAsync(TelegramFile file, string caption, int maxChars, CancellationToken cancellationToken)
    {
        if (!speech.Available)
        {
            return MediaInput.Refuse(NotConfigured);
        }

        var limit = options.Value.MaxAudioSeconds;
        if (file.DurationSeconds > limit)
        {
            return MediaInput.Refuse($"Your recording is {Minutes(file.DurationSeconds.Value)} long; I transcribe up to {Minutes(limit)}. Please send a shorter one, or type your message.");
        }

        var download = await files.FetchAsync(file, MaxAudioBytes, cancellationToken);
        if (download.OverLimit)
        {
            return MediaInput.Refuse($"Your recording is larger than the {MaxAudioBytes / (1024 * 1024)} MB Telegram lets me fetch. Please send a shorter one, or type your message.");
        }

        if (download.Bytes is not { } bytes)
        {
            return MediaInput.Refuse($"I couldn't fetch your recording from Telegram ({download.Unavailable}). Please send it again.", MediaInput.DownloadFailed);
        }

        string transcript;
        try
        {
            transcript = await speech.TranscribeAsync(bytes, SpeechToText.FileNameFor(file.FileName, file.MimeType), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var kind = ModelFailure.Classify(ex);
            LogTranscriptionFailed(logger, ex, kind);
            var reply = ModelFailure.StatusOf(ex) is 404 or 405
                ? NoSpeechToText // an endpoint that serves chat only (Ollama, say): trying again will not help
                : $"I couldn't transcribe your recording: the speech-to-text service failed ({kind}). Please try again in a moment, or type your message.";
            return MediaInput.Refuse(reply, MediaInput.TranscriptionFailed);
        }

        if (transcript.Length == 0)
        {
            return MediaInput.Refuse("I couldn't make out any words in your recording. Please try again, or type your message.");
        }

        var text = caption.Length > 0 ? $"{Marker} {transcript}\n\n{caption}" : $"{Marker} {transcript}";
        return MediaInput.Answer(MediaText.Within(text, Math.Max(0, maxChars - 64)));
    }

    private static string Minutes(int seconds) => $"{seconds / 60}:{seconds % 60:00}";

    [LoggerMessage(Level = LogLevel.Error, Message = "A voice message could not be transcribed ({Kind})")]
    private static partial void LogTranscriptionFailed(ILogger logger, Exception exception, string kind);
}
