using System.ComponentModel;
using Assistant.Models;
using Assistant.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Assistant.Memory;

/// <summary>The notes of the person one turn answers, for its system message, and the two tools that change them.</summary>
internal sealed record TurnNotes(IReadOnlyList<string> Notes, IList<AITool> Tools)
{
    /// <summary>What the system message gains: the notes, and that the tools change them.</summary>
    public string SystemText => Notes.Count == 0 ? ""
        : "\n\nNotes this user asked you to keep (change them with the remember and forget tools):\n" + string.Join("\n", Notes.Select(n => "- " + n));
}

/// <summary>
/// Reads an owner's notes (<see cref="INotesGrain"/>) as a turn starts and builds the <c>remember</c>
/// and <c>forget</c> tools bound to that owner alone, so the model can only ever change the notes
/// of the person it is answering. Off when <c>Sessions:MaxNotes</c> is 0, tools are off
/// (<c>AI:EnableTools</c>) or no model is configured.
/// </summary>
internal sealed class UserNotes(IGrainFactory grains, IOptions<ChatSessionOptions> sessions, IOptions<AiOptions> ai)
{
    public const string Remember = "remember";
    public const string Forget = "forget";

    public static IReadOnlyList<string> Names { get; } = [Remember, Forget];

    public bool Enabled { get; } = sessions.Value.MaxNotes > 0 && ai.Value.EnableTools && ai.Value.EffectiveProvider != AiProvider.Offline;

    public async Task<TurnNotes?> ForAsync(string owner)
    {
        if (!Enabled)
        {
            return null;
        }

        var grain = grains.GetGrain<INotesGrain>(owner);
        var notes = await grain.ListAsync();
        return new TurnNotes(notes,
        [
            AIFunctionFactory.Create(
                ([Description("The fact or preference to keep, in one short sentence.")] string note) => grain.RememberAsync(note),
                Remember,
                "Keeps a note about the user for later conversations: call it when they ask you to remember something about them (a fact, a preference). Returns whether it was kept."),
            AIFunctionFactory.Create(
                async ([Description("Words of the note to drop.")] string note) => await grain.ForgetAsync(note) is var n && n == 0 ? "No note contains that." : $"Dropped {n} note(s).",
                Forget,
                "Drops the user's notes that contain the given words: call it when they ask you to forget something you kept."),
        ]);
    }
}
