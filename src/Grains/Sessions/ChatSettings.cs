namespace Assistant.Sessions;

/// <summary>
/// What a chat chose: its model, its persona, or (set by an administrator) a system prompt of its
/// own. Null fields mean the defaults (<see cref="Models.ChatCatalog"/>); stored with the conversation.
/// </summary>
[GenerateSerializer, Alias("Assistant.Sessions.ChatSettings")]
public sealed class ChatSettings
{
    [Id(0)]
    public string? Model { get; set; }

    [Id(1)]
    public string? Persona { get; set; }

    /// <summary>A system prompt of the chat's own (<c>/persona custom TEXT</c>); wins over <see cref="Persona"/>.</summary>
    [Id(2)]
    public string? CustomPrompt { get; set; }
}
