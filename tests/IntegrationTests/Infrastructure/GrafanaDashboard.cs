using System.Text.Json;
using System.Text.RegularExpressions;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary><c>deploy/grafana/assistant-dashboard.json</c>: its PromQL queries and the series they name.</summary>
public sealed partial class GrafanaDashboard
{
    private GrafanaDashboard(string title, IReadOnlyList<string> expressions)
    {
        Title = title;
        Expressions = expressions;
        SeriesNames = expressions.SelectMany(e => SeriesName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
    }

    public string Title { get; }

    public IReadOnlyList<string> Expressions { get; }

    /// <summary>The metric names the queries read (the service's, the runtime's, and Prometheus' own <c>up</c>).</summary>
    public IReadOnlySet<string> SeriesNames { get; }

    public static GrafanaDashboard Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "deploy", "grafana", "assistant-dashboard.json")));
        var root = document.RootElement;
        var expressions = root.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToList();
        return new GrafanaDashboard(root.GetProperty("title").GetString()!, expressions);
    }

    [GeneratedRegex(@"\b(assistant_[a-z0-9_]+|dotnet_[a-z0-9_]+|up)\b(?=\s*[\{\[\)\s]|$)")]
    private static partial Regex SeriesName();
}
