using Assistant.Models;

namespace Assistant.Sessions.Commands;

/// <summary>
/// <c>/persona</c> lists the personas, this chat's marked; <c>/persona NAME</c> switches to one;
/// <c>/persona custom TEXT</c> (administrators) gives the chat a system prompt of its own.
/// </summary>
internal sealed class PersonaCommand : ChatCommand
{
    public const int MaxCustomPromptChars = 4000;

    public override string Name => "/persona";

    public override string Help => "list the personas, or choose one: /persona NAME";

    public override async Task<string> RunAsync(CommandCall call)
    {
        var catalog = call.Host.Catalog;
        var current = catalog.PersonaOf(call.Host.Settings);
        var parts = call.Argument.Split([' ', '\n'], 2, StringSplitOptions.TrimEntries);
        var name = parts[0].ToLowerInvariant();
        if (name.Length == 0)
        {
            return List(catalog, current);
        }

        if (name == ChatCatalog.Custom)
        {
            return await CustomAsync(call, parts.Length > 1 ? parts[1] : "");
        }

        if (catalog.CheckPersona(name) is { } unknown)
        {
            return unknown + "\n\n" + List(catalog, current);
        }

        await call.Host.SaveSettingsAsync(s =>
        {
            s.Persona = name;
            s.CustomPrompt = null;
        });
        return $"This chat now has the persona {name}.";
    }

    private static async Task<string> CustomAsync(CommandCall call, string prompt)
    {
        if (!call.IsAdmin)
        {
            return "Sorry, only the service's administrators can give a chat a custom persona.";
        }

        if (prompt.Length == 0 || prompt.Length > MaxCustomPromptChars)
        {
            return $"Send /persona custom followed by the system prompt for this chat (1 to {MaxCustomPromptChars} characters).";
        }

        await call.Host.SaveSettingsAsync(s => s.CustomPrompt = prompt);
        return "This chat now has its own persona.";
    }

    private static string List(ChatCatalog catalog, string current) =>
        "Personas for this chat (✓ the current one):\n" +
        string.Join("\n", catalog.Personas.Append(current == ChatCatalog.Custom ? ChatCatalog.Custom : null).OfType<string>().Select(p => (p == current ? "✓ " : "• ") + p)) +
        "\n\nSend /persona NAME to switch.";
}
