namespace Assistant.Sessions.Commands;

/// <summary><c>/memory</c> lists the notes kept about the user who sends it; <c>/memory clear</c> drops them.</summary>
internal sealed class MemoryCommand : ChatCommand
{
    public const string Clear = "clear";

    public override string Name => "/memory";

    public override string Help => "the notes I keep about you; /memory clear drops them";

    public override async Task<string> RunAsync(CommandCall call)
    {
        if (!Memory.NoteOwner.IsPerson(call.Message.UserId))
        {
            return "I keep notes only for people writing as themselves, not for anonymous admins or channels.";
        }

        if (call.Argument.Equals(Clear, StringComparison.OrdinalIgnoreCase))
        {
            var dropped = await call.Host.ClearNotesAsync(call.Message.UserId);
            return dropped == 0 ? "I keep no notes about you." : $"Dropped all {dropped} notes I kept about you.";
        }

        if (call.Argument.Length > 0)
        {
            return "Send /memory to see the notes I keep about you, or /memory clear to drop them all.";
        }

        if (call.Message.Group)
        {
            return "Your notes are yours: I show them only in a private chat with me. Send /memory there.";
        }

        var kept = await call.Host.NotesAsync(call.Message.UserId);
        return kept.Count == 0
            ? "I keep no notes about you. Ask me to remember something and I will."
            : "Notes I keep about you:\n" + string.Join("\n", kept.Select((n, i) => $"{i + 1}. {n}")) +
              "\n\nAsk me to forget one, or send /memory clear to drop them all.";
    }
}
