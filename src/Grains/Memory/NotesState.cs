namespace Assistant.Memory;

[GenerateSerializer, Alias("Assistant.Memory.NotesState")]
public sealed class NotesState
{
    [Id(0)]
    public List<KeptNote> Notes { get; set; } = [];
}

[GenerateSerializer, Immutable, Alias("Assistant.Memory.KeptNote")]
public sealed record class KeptNote([property: Id(0)] string Text, [property: Id(1)] DateTimeOffset At);
