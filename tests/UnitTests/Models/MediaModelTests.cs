using System.Net;
using Assistant.Models;

namespace Assistant.UnitTests.Models;

/// <summary>What tells a model without vision from other refusals, how an upload is named, and where the chat key may go.</summary>
public sealed class MediaModelTests
{
    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "Invalid content type. image_url is only supported by certain models.", true)]
    [InlineData(HttpStatusCode.BadRequest, "llava is not a multimodal model", true)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, "Request Entity Too Large", true)]
    [InlineData(HttpStatusCode.BadRequest, "This model's maximum context length is 8192 tokens.", false)]
    [InlineData(HttpStatusCode.NotFound, "The model `gpt-4-vision` does not exist.", false)]
    [InlineData(HttpStatusCode.BadRequest, "model llama-3.2-11b-vision: messages must alternate", false)] // the model's own name is no evidence
    [InlineData(HttpStatusCode.TooManyRequests, "image quota exceeded", false)]
    [InlineData(HttpStatusCode.InternalServerError, "image decoder crashed", false)]
    public void Only_a_refusal_of_the_image_itself_counts(HttpStatusCode status, string message, bool refused) =>
        Assert.Equal(refused, ModelFailure.RefusedImage(new HttpRequestException(message, null, status), "llama-3.2-11b-vision"));

    [Theory]
    [InlineData(null, null, "voice.ogg")]
    [InlineData(null, "audio/ogg", "voice.ogg")]
    [InlineData("song.mp3", "audio/mpeg", "song.mp3")]
    [InlineData("song.opus", "audio/mpeg", "audio.mp3")] // a name the API does not read goes by its type
    [InlineData("memo", "audio/x-m4a", "audio.m4a")]
    public void An_upload_is_named_for_its_format(string? fileName, string? mimeType, string expected) =>
        Assert.Equal(expected, SpeechToText.FileNameFor(fileName, mimeType));

    [Theory]
    [InlineData(null, null, "sk-chat")]                                            // transcription on the chat endpoint
    [InlineData("https://API.openai.com:443/v1/", null, "sk-chat")]                // the same server, spelled otherwise
    [InlineData("http://whisper.internal:8000/v1", null, null)]                    // another host: never the chat key
    [InlineData("http://whisper.internal:8000/v1", "whisper-key", "whisper-key")]
    public void The_chat_key_goes_only_to_the_chat_server(string? endpoint, string? key, string? sent)
    {
        var options = new AiOptions { Endpoint = "https://api.openai.com/v1", ApiKey = "sk-chat", Model = "m", TranscriptionEndpoint = endpoint, TranscriptionApiKey = key };

        Assert.Equal(sent, options.EffectiveTranscriptionApiKey);
    }
}
