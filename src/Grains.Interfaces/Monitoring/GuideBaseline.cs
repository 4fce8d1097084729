namespace Assistant.Monitoring;

/// <summary>
/// One of the operations guide's performance baselines beside what the service measures:
/// <paramref name="Figure"/> (<c>memory</c>, <c>cpu_baseline</c>, <c>cpu_sustained</c>, <c>sessions</c>,
/// <c>response_text</c>, <c>response_media</c>), the guide's words, the measured value and the limit
/// it is held to (in <paramref name="Unit"/>), whether it is within (null: not measured yet), and a note.
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.GuideBaseline")]
public sealed record class GuideBaseline(
    [property: Id(0)] string Figure,
    [property: Id(1)] string Guide,
    [property: Id(2)] double? Measured,
    [property: Id(3)] double Limit,
    [property: Id(4)] string Unit,
    [property: Id(5)] bool? Within,
    [property: Id(6)] string Note);
