using Assistant.Telegram;

namespace Assistant.Sessions.Commands;

/// <summary>The bot's commands, in the order <c>/help</c> lists them: the one place a command is registered.</summary>
internal static class ChatCommands
{
    public static IReadOnlyList<ChatCommand> All { get; } =
    [
        new ResetCommand(), new CancelCommand(), new ModelCommand(), new PersonaCommand(), new MemoryCommand(), new ExportCommand(), new DeleteMyDataCommand(), new UsageCommand(), new StatusCommand(), new UsersCommand(), new GrantCommand(), new QuotaCommand(), new BanCommand(), new UnbanCommand(), new HelpCommand(), new StartCommand(),
    ];

    public static ChatCommand? Find(string name) => All.FirstOrDefault(c => c.Name == name);

    /// <summary>Whether this message is a command that acts as soon as it is accepted.</summary>
    public static bool ActsOnDelivery(TelegramIncoming message) =>
        message.Content == TelegramContent.Command && Find(TelegramCommands.Name(message.Text))?.ActsOnDelivery == true;

    public static string HelpText { get; } =
        "I'm an AI assistant. Send me a text message and I'll answer; I remember our conversation until you reset it " +
        "(older parts as a summary), and notes about you when you ask me to remember something.\n\n" +
        string.Join("\n", All.Where(c => c is not StartCommand).Select(c => $"{c.Name} — {c.Help}")) + "\n\n" +
        "Besides text I read photos (with their caption as the question, where my model can see images), " +
        "voice messages and audio (where speech-to-text is set up), and text files and PDFs with a text layer. " +
        "Stickers, videos and locations I can't use yet.";
}

internal sealed class StartCommand : ChatCommand
{
    public override string Name => TelegramCommands.Start;

    public override string Help => "say hello";

    public override Task<string> RunAsync(CommandCall call) =>
        Task.FromResult($"Hi{(string.IsNullOrWhiteSpace(call.Message.FirstName) ? "" : " " + call.Message.FirstName)}! " + ChatCommands.HelpText);
}

internal sealed class HelpCommand : ChatCommand
{
    public override string Name => TelegramCommands.Help;

    public override string Help => "this message";

    public override Task<string> RunAsync(CommandCall call) => Task.FromResult(ChatCommands.HelpText);
}

internal sealed class ResetCommand : ChatCommand
{
    public override string Name => TelegramCommands.Reset;

    public override string Help => "start a new conversation";

    public override bool ActsOnDelivery => true;

    public override async Task<string> RunAsync(CommandCall call)
    {
        await call.Host.ResetAsync();
        return TelegramCommands.ResetDone;
    }
}

/// <summary>Decided when it is accepted (its notice says whether a reply was stopped); run here only if it never was.</summary>
internal sealed class CancelCommand : ChatCommand
{
    public override string Name => TelegramCommands.Cancel;

    public override string Help => "stop the reply I'm writing";

    public override bool ActsOnDelivery => true;

    public override Task<string> RunAsync(CommandCall call) => Task.FromResult(TelegramCommands.NothingToCancel);
}

internal sealed class StatusCommand : ChatCommand
{
    public override string Name => TelegramCommands.Status;

    public override string Help => "service health (administrators)";

    public override bool AdminOnly => true;

    public override Task<string> RunAsync(CommandCall call) => call.Host.DescribeHealthAsync();
}
