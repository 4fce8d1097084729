namespace Assistant.Maintenance;

/// <summary>What a maintenance operation did, in a sentence and in figures.</summary>
public sealed record MaintenanceResult(string Operation, string Summary, IReadOnlyDictionary<string, object?> Details);
