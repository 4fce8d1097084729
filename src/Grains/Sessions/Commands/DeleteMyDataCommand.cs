namespace Assistant.Sessions.Commands;

/// <summary><c>/deletemydata</c> says what would be erased and asks for <c>/deletemydata confirm</c>, which erases it.</summary>
internal sealed class DeleteMyDataCommand : ChatCommand
{
    public const string Confirm = "confirm";

    public override string Name => "/deletemydata";

    public override string Help => "erase everything I keep from this chat and about you";

    public override Task<string> RunAsync(CommandCall call) =>
        call.Argument.Equals(Confirm, StringComparison.OrdinalIgnoreCase)
            ? call.Host.EraseAsync(call.Message)
            : Task.FromResult(
                "This erases everything I keep from this chat" + (call.Message.Group ? " (for everyone in it)" : "") +
                ": the conversation and its summary, messages waiting for an answer, its settings and statistics, " +
                "and the notes I keep about you. It cannot be undone. Backups of the service keep it until they age out.\n\n" +
                "Send /deletemydata confirm to erase it.");
}
