namespace Assistant.Sessions.Commands;

/// <summary><c>/usage</c>: what the sender spent on the model today and this month, their limits and when they reset.</summary>
internal sealed class UsageCommand : ChatCommand
{
    public override string Name => "/usage";

    public override string Help => "what you have used of the model today and this month, and your limits";

    public override Task<string> RunAsync(CommandCall call) =>
        call.Message.Group
            ? Task.FromResult("What you spend is yours to see: I show it only in a private chat with me. Send /usage there.")
            : call.Host.UsageAsync(call.Message, call.Access.Limits);
}
