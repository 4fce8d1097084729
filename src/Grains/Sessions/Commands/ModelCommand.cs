namespace Assistant.Sessions.Commands;

/// <summary>
/// <c>/model</c> lists the models the sender may use in this chat (their role's <c>Models</c>), the
/// chat's own marked; <c>/model NAME</c> switches it.
/// </summary>
internal sealed class ModelCommand : ChatCommand
{
    public override string Name => "/model";

    public override string Help => "list the AI models, or choose one: /model NAME";

    public override async Task<string> RunAsync(CommandCall call)
    {
        var catalog = call.Host.Catalog;
        var current = catalog.ModelOf(call.Host.Settings);
        var models = call.Host.Accounts.Policy.Choosable(call.Access);
        if (call.Argument.Length == 0)
        {
            return List(models, current);
        }

        if (catalog.CheckModel(call.Argument) is { } unknown)
        {
            return unknown + "\n\n" + List(models, current);
        }

        if (!models.Contains(call.Argument))
        {
            return $"Your role may not use the model {call.Argument}.\n\n" + List(models, current);
        }

        await call.Host.SaveSettingsAsync(s => s.Model = call.Argument);
        return $"This chat now uses the model {call.Argument}.";
    }

    private static string List(IEnumerable<string> models, string current) =>
        "Models for this chat (✓ the current one):\n" + string.Join("\n", models.Select(m => (m == current ? "✓ " : "• ") + m)) +
        "\n\nSend /model NAME to switch.";
}
