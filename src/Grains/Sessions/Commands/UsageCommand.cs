namespace Assistant.Sessions.Commands;

/// <summary>
/// <c>/usage</c>: what the sender spent on the model today and this month, their limits and when they
/// reset; <c>/usage all</c> (admins): the service's figures and the top spenders. In a private chat only.
/// </summary>
internal sealed class UsageCommand : ChatCommand
{
    public override string Name => "/usage";

    public override string Help => "what you have used of the model today and this month, and your limits (/usage all: everyone's, for administrators)";

    public override Task<string> RunAsync(CommandCall call) =>
        call.Message.Group ? Task.FromResult("What you spend is yours to see: I show it only in a private chat with me. Send /usage there.")
        : !call.Argument.Equals("all", StringComparison.OrdinalIgnoreCase) ? call.Host.UsageAsync(call.Message, call.Access.Limits)
        : call.IsAdmin ? call.Host.UsageOfAllAsync()
        : Task.FromResult(Telegram.TelegramCommands.AdminsOnly("/usage all"));
}
