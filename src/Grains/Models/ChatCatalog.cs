using System.Text.RegularExpressions;
using Assistant.Sessions;
using Microsoft.Extensions.Options;

namespace Assistant.Models;

/// <summary>
/// What a chat may choose and what its choice means: the models (<c>AI:Model</c> first, then
/// <c>AI:Models</c>), the personas (<c>default</c> is <c>Sessions:SystemPrompt</c>, then
/// <c>AI:Personas</c>), and the models that answer when the chosen one fails
/// (<c>AI:FallbackModels</c>). A choice the configuration no longer offers reads as the default.
/// </summary>
public sealed partial class ChatCatalog
{
    public const string DefaultPersona = "default";
    public const string Custom = "custom";

    private readonly Dictionary<string, string> _personas;

    public ChatCatalog(IOptions<AiOptions> ai, IOptions<ChatSessionOptions> sessions)
    {
        var options = ai.Value;
        DefaultModel = options.EffectiveProvider == AiProvider.Offline ? "offline" : options.Model!;
        Models = Offered(options);
        Fallbacks = [.. options.FallbackModels.Select(m => m.Trim()).Distinct(StringComparer.Ordinal)];
        _personas = new Dictionary<string, string>(StringComparer.Ordinal) { [DefaultPersona] = sessions.Value.SystemPrompt };
        foreach (var (name, prompt) in options.Personas)
        {
            _personas[name] = prompt;
        }

        Personas = [.. _personas.Keys.OrderBy(n => n == DefaultPersona ? "" : n, StringComparer.Ordinal)];
    }

    public string DefaultModel { get; }

    /// <summary>The models <paramref name="options"/> offer, <c>AI:Model</c> first (only <c>offline</c> without a provider).</summary>
    public static IReadOnlyList<string> Offered(AiOptions options) =>
        options.EffectiveProvider == AiProvider.Offline
            ? ["offline"]
            : [.. new[] { options.Model! }.Concat(options.Models.Select(m => m.Trim())).Distinct(StringComparer.Ordinal)];

    public IReadOnlyList<string> Models { get; }

    public IReadOnlyList<string> Personas { get; }

    public IReadOnlyList<string> Fallbacks { get; }

    public static bool IsPersonaName(string name) => PersonaName().IsMatch(name);

    /// <summary>The model a chat with these settings is answered by.</summary>
    public string ModelOf(ChatSettings? settings) =>
        settings?.Model is { } model && Models.Contains(model) ? model : DefaultModel;

    /// <summary>The persona a chat with these settings has (<see cref="Custom"/> for its own prompt).</summary>
    public string PersonaOf(ChatSettings? settings) =>
        settings?.CustomPrompt is not null ? Custom
        : settings?.Persona is { } persona && _personas.ContainsKey(persona) ? persona
        : DefaultPersona;

    /// <summary>The system prompt a chat with these settings is given.</summary>
    public string PromptOf(ChatSettings? settings) =>
        settings?.CustomPrompt ?? _personas[PersonaOf(settings)];

    /// <summary>
    /// The chat's model, then the fallbacks other than it: who is asked, in order. <paramref name="allowed"/>
    /// (a role's <c>Models</c>; empty: any) limits both: a chat whose model the sender may not use is
    /// answered by the first model they may, and only their models stand in for it.
    /// </summary>
    public IEnumerable<string> Candidates(ChatSettings? settings, IReadOnlyList<string>? allowed = null)
    {
        var model = ModelOf(settings);
        if (allowed is not { Count: > 0 })
        {
            return Fallbacks.Where(f => f != model).Prepend(model);
        }

        var first = allowed.Contains(model) ? model : Models.FirstOrDefault(allowed.Contains) ?? allowed[0];
        return Fallbacks.Where(f => f != first && allowed.Contains(f)).Prepend(first);
    }

    public ChatSettingsView View(ChatSettings? settings) => new(ModelOf(settings), PersonaOf(settings), Models, Personas);

    /// <summary>Why <paramref name="model"/> cannot be chosen (naming what can), or null.</summary>
    public string? CheckModel(string model) =>
        Models.Contains(model) ? null : $"Unknown model '{model}'. Choose one of: {string.Join(", ", Models)}.";

    /// <summary>Why <paramref name="persona"/> cannot be chosen (naming what can), or null.</summary>
    public string? CheckPersona(string persona) =>
        _personas.ContainsKey(persona) ? null : $"Unknown persona '{persona}'. Choose one of: {string.Join(", ", Personas)}.";

    [GeneratedRegex("^[a-z0-9_-]{1,32}$")]
    private static partial Regex PersonaName();
}
