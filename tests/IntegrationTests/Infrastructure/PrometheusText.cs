using System.Globalization;
using System.Text.RegularExpressions;

namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>The samples of a Prometheus text exposition (<c>name{label="value",...} number</c>), for assertions.</summary>
public sealed partial class PrometheusText
{
    private readonly List<Sample> _samples = [];

    public PrometheusText(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
            _samples.Add(new Sample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
    }

    public string Text { get; }

    public IReadOnlyList<Sample> Samples => _samples;

    public bool Has(string name) => _samples.Any(s => s.Name == name);

    /// <summary>The value of the one series of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public double Value(string name, params (string Key, string Value)[] labels)
    {
        var found = _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
        return found.Count == 1
            ? found[0].Value
            : throw new InvalidOperationException($"Expected one series {name}{{{string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}}, found {found.Count}:\n{Text}");
    }

    /// <summary>
    /// The sum of the series of <paramref name="name"/> whose labels include <paramref name="labels"/>
    /// (0 when there is none): in-process silos of parallel test collections share one process, and each
    /// host's exporter sees every host's meters, so a counter may show once per host.
    /// </summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
}
