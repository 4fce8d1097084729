using System.Text.Json;

namespace Assistant.Fakes.OpenAi;

/// <summary>What the fake saw of one request.</summary>
public sealed record FakeCompletionRequest(
    string? Authorization,
    string Model,
    bool Stream,
    IReadOnlyList<FakeMessage> Messages,
    IReadOnlyList<string> Tools,
    int? MaxCompletionTokens,
    JsonElement Body)
{
    public string LastUserText => Messages.Last(m => m.Role == "user").Content ?? "";
}

public sealed record FakeMessage(string Role, string? Content);
