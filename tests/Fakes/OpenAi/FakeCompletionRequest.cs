using System.Text.Json;

namespace Assistant.Fakes.OpenAi;

/// <summary>What the fake saw of one request, and when (<see cref="FakeOpenAiServer.Clock"/>).</summary>
public sealed record FakeCompletionRequest(
    string? Authorization,
    string Model,
    bool Stream,
    IReadOnlyList<FakeMessage> Messages,
    IReadOnlyList<string> Tools,
    int? MaxCompletionTokens,
    JsonElement Body,
    DateTimeOffset At = default)
{
    public string LastUserText => Messages.Last(m => m.Role == "user").Content ?? "";
}

/// <summary>One message of a request; <paramref name="Content"/> is its text (a multi-part message's text parts, joined).</summary>
public sealed record FakeMessage(string Role, string? Content, IReadOnlyList<FakePart> Parts);

/// <summary>One part of a multi-part message: <c>text</c> with its text, or <c>image_url</c> with its URL (a data URL for an inline image).</summary>
public sealed record FakePart(string Type, string? Text, string? Url);

/// <summary>What the fake saw of one <c>POST /v1/audio/transcriptions</c>.</summary>
public sealed record FakeTranscriptionRequest(string? Authorization, string Model, string FileName, byte[] Audio);
