using System.Text.Json;
using Assistant.Models;
using Assistant.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Assistant.Memory;

/// <summary>The notes of the person one turn answers, for its system message, and the two tools that change them.</summary>
internal sealed record TurnNotes(IReadOnlyList<string> Notes, IList<AITool> Tools, bool Group)
{
    /// <summary>What the system message gains: the notes, and that the tools change them.</summary>
    public string SystemText => Notes.Count == 0 ? ""
        : "\n\nNotes the user you are answering asked you to keep (change them with the remember and forget tools):\n" + string.Join("\n", Notes.Select(n => "- " + n))
          + (Group ? "\nThis is a group chat: use these notes to answer this user, and do not repeat them to the group unless this user asks you to." : "");

    /// <summary>The estimated tokens <see cref="SystemText"/> adds to the prompt.</summary>
    public int Tokens => Notes.Count == 0 ? 0 : Sessions.TokenEstimator.Estimate(SystemText);
}

/// <summary>
/// Reads an owner's notes (<see cref="INotesGrain"/>) as a turn starts and builds the <c>remember</c>
/// and <c>forget</c> tools bound to that owner alone, so the model can only ever change the notes
/// of the person it is answering. Off when <c>Sessions:MaxNotes</c> is 0, tools are off
/// (<c>AI:EnableTools</c>) or no model is configured.
/// </summary>
internal sealed class UserNotes(NotesCache cache, IOptions<ChatSessionOptions> sessions, IOptions<AiOptions> ai)
{
    public const string Remember = "remember";
    public const string Forget = "forget";

    public static IReadOnlyList<string> Names { get; } = [Remember, Forget];

    private const int MinForgetChars = 3;

    private static readonly JsonElement RememberSchema = NoteTool.Schema("The fact or preference to keep, in one short sentence.");
    private static readonly JsonElement ForgetSchema = NoteTool.Schema("Words of the note to drop, at least three characters.");

    public bool Enabled { get; } = sessions.Value.MaxNotes > 0 && ai.Value.EnableTools && ai.Value.EffectiveProvider != AiProvider.Offline;

    /// <summary>Starts reading the notes a turn about to start will send (<see cref="NotesCache.Warm"/>), off its path.</summary>
    public void Warm(string owner)
    {
        if (Enabled)
        {
            cache.Warm(owner);
        }
    }

    public async Task<TurnNotes?> ForAsync(string owner, bool group)
    {
        if (!Enabled)
        {
            return null;
        }

        var notes = await cache.ListAsync(owner);
        return new TurnNotes(notes, Group: group, Tools:
        [
            new NoteTool(Remember, RememberSchema,
                "Keeps a note about the user for later conversations: call it when they ask you to remember something about them (a fact, a preference). Returns whether it was kept.",
                note => cache.RememberAsync(owner, note)),
            new NoteTool(Forget, ForgetSchema,
                "Drops the user's notes that contain the given words: call it when they ask you to forget something you kept.",
                async note => note.Trim().Length < MinForgetChars ? "Say more precisely which note to drop (at least three characters of it)."
                    : await cache.ForgetAsync(owner, note) is var n && n == 0 ? "No note contains that." : $"Dropped {n} note(s)."),
        ]);
    }
}

/// <summary>
/// A note tool bound to one owner. Its schema is built once per kind, so a turn's tools cost two
/// small objects rather than <c>AIFunctionFactory</c>'s reflection per turn.
/// </summary>
internal sealed class NoteTool(string name, JsonElement schema, string description, Func<string, Task<string>> run) : AIFunction
{
    public override string Name => name;

    public override string Description => description;

    public override JsonElement JsonSchema => schema;

    /// <summary>A schema of one required string argument, <c>note</c>.</summary>
    public static JsonElement Schema(string noteDescription) => JsonSerializer.SerializeToElement(new
    {
        type = "object",
        properties = new { note = new { type = "string", description = noteDescription } },
        required = new[] { "note" },
    });

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var note = arguments.TryGetValue("note", out var value) ? value switch
        {
            JsonElement { ValueKind: JsonValueKind.String } text => text.GetString(),
            string text => text,
            _ => value?.ToString(),
        } : null;
        cancellationToken.ThrowIfCancellationRequested(); // a turn reset or erased meanwhile keeps nothing
        return await run(note ?? "");
    }
}
