namespace Assistant.Sessions;

/// <summary>What <c>GET /sessions/{id}/settings</c> shows: the chat's model and persona, and what it may choose.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Sessions.ChatSettingsView")]
public sealed record class ChatSettingsView(
    [property: Id(0)] string Model,
    [property: Id(1)] string Persona,
    [property: Id(2)] IReadOnlyList<string> Models,
    [property: Id(3)] IReadOnlyList<string> Personas);

/// <summary>A change of a chat's settings; a null field stays as it is.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Sessions.ChatSettingsChange")]
public sealed record class ChatSettingsChange([property: Id(0)] string? Model, [property: Id(1)] string? Persona);
