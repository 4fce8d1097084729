namespace Assistant.Sessions.Commands;

/// <summary><c>/model</c> lists the models this chat may use, its own marked; <c>/model NAME</c> switches it.</summary>
internal sealed class ModelCommand : ChatCommand
{
    public override string Name => "/model";

    public override string Help => "list the AI models, or choose one: /model NAME";

    public override async Task<string> RunAsync(CommandCall call)
    {
        var catalog = call.Host.Catalog;
        var current = catalog.ModelOf(call.Host.Settings);
        if (call.Argument.Length == 0)
        {
            return List(catalog.Models, current);
        }

        if (catalog.CheckModel(call.Argument) is { } unknown)
        {
            return unknown + "\n\n" + List(catalog.Models, current);
        }

        await call.Host.SaveSettingsAsync(s => s.Model = call.Argument);
        return $"This chat now uses the model {call.Argument}.";
    }

    private static string List(IEnumerable<string> models, string current) =>
        "Models for this chat (✓ the current one):\n" + string.Join("\n", models.Select(m => (m == current ? "✓ " : "• ") + m)) +
        "\n\nSend /model NAME to switch.";
}
