using System.Diagnostics.Metrics;

namespace Assistant.Metrics;

/// <summary>What a conversation keeps beyond its window, counted (meter <c>Assistant</c>): summaries, notes, exports and erasures.</summary>
public sealed class MemoryMetrics
{
    private readonly Counter<long> _summaries;
    private readonly Counter<long> _notes;
    private readonly Counter<long> _exports;
    private readonly Counter<long> _erasures;

    public MemoryMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(AssistantMetrics.MeterName);
        _summaries = meter.CreateCounter<long>("assistant.memory.summaries", "{summary}", "Summaries of turns pruned from a window, by outcome (made, failed, discarded: the context was reset or cleared meanwhile; over_budget: a budget refused it).");
        _notes = meter.CreateCounter<long>("assistant.memory.notes", "{note}", "Notes kept for a user, by action (remembered, forgotten, cleared, refused: over Sessions:MaxNotes).");
        _exports = meter.CreateCounter<long>("assistant.memory.exports", "{export}", "Conversations exported, by channel (telegram, api).");
        _erasures = meter.CreateCounter<long>("assistant.memory.erasures", "{erasure}", "Erasures of everything kept for a chat and user, by channel (telegram, api).");
    }

    public void Summary(string outcome) => _summaries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Note(string action, int count = 1) => _notes.Add(count, new KeyValuePair<string, object?>("action", action));

    public void Exported(string channel) => _exports.Add(1, new KeyValuePair<string, object?>("channel", channel));

    public void Erased(string channel) => _erasures.Add(1, new KeyValuePair<string, object?>("channel", channel));
}
