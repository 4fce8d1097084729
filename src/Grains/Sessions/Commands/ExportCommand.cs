namespace Assistant.Sessions.Commands;

/// <summary><c>/export</c> sends the chat's conversation as a Markdown document (<see cref="Memory.ConversationExport"/>).</summary>
internal sealed class ExportCommand : ChatCommand
{
    public override string Name => "/export";

    public override string Help => "everything I keep from this chat, as a document";

    public override Task<string> RunAsync(CommandCall call) => call.Host.ExportAsync(call.Message);
}
