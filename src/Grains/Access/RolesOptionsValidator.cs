using Assistant.Models;
using Microsoft.Extensions.Options;

namespace Assistant.Access;

/// <summary>
/// Checks each role's settings, naming the key: the figures of four roles, and that a role's
/// <c>Models</c> are models the service offers (<c>AI:Model</c>, <c>AI:Models</c>) or falls back to
/// (<c>AI:FallbackModels</c>, so a role with a list of models may keep a fallback).
/// </summary>
internal sealed class RolesOptionsValidator(IOptions<AiOptions> ai) : IValidateOptions<RolesOptions>
{
    public ValidateOptionsResult Validate(string? name, RolesOptions options)
    {
        var failures = new List<string>();
        var offered = Offered();
        foreach (var (key, role) in options.Each())
        {
            failures.NotNegative($"{key}:MessagesPerMinute", role.MessagesPerMinute);
            failures.NotNegative($"{key}:UserDaily", (double)(role.UserDaily ?? 0));
            failures.NotNegative($"{key}:UserMonthly", (double)(role.UserMonthly ?? 0));
            if (offered is not null)
            {
                failures.AddRange(role.Models.Where(m => !offered.Contains(m))
                    .Select(m => $"{key}:Models names '{m}', which is not one of AI:Model, AI:Models and AI:FallbackModels ({string.Join(", ", offered)})"));
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The models a role may name; null when any name goes (offline) or <c>AI</c> itself is invalid (its own check says so).</summary>
    private IReadOnlyList<string>? Offered()
    {
        try
        {
            return ai.Value.EffectiveProvider == AiProvider.Offline ? null
                : [.. ChatCatalog.Offered(ai.Value).Concat(ai.Value.FallbackModels.Select(m => m.Trim())).Distinct(StringComparer.Ordinal)];
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }
}
