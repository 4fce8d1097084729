using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Assistant.LoadDriver;

/// <summary>One measured figure, with its target when BENCHMARKS.md sets one.</summary>
internal sealed record Figure(string Scenario, string Name, double Value, string Unit, string? Target = null, bool? Met = null, string? Note = null);

/// <summary>The figures of a run: a markdown table on the console and a JSON file.</summary>
internal sealed class Report
{
    private readonly List<Figure> _figures = [];

    public IReadOnlyList<Figure> Figures => _figures;

    public Figure Add(Figure figure)
    {
        lock (_figures)
        {
            _figures.Add(figure);
        }

        Console.WriteLine($"  {figure.Scenario} / {figure.Name}: {Format(figure.Value)} {figure.Unit}{(figure.Target is null ? "" : $" (target {figure.Target}: {(figure.Met == true ? "met" : "missed")})")}{(figure.Note is null ? "" : $" — {figure.Note}")}");
        return figure;
    }

    /// <summary>Records a figure against an upper bound.</summary>
    public Figure AtMost(string scenario, string name, double value, string unit, double target, string? note = null) =>
        Add(new Figure(scenario, name, value, unit, $"<= {Format(target)} {unit}", value <= target, note));

    /// <summary>Records a figure against a lower bound.</summary>
    public Figure AtLeast(string scenario, string name, double value, string unit, double target, string? note = null) =>
        Add(new Figure(scenario, name, value, unit, $">= {Format(target)} {unit}", value >= target, note));

    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| Scenario | Figure | Value | Target | |");
        text.AppendLine("|---|---|---:|---|---|");
        foreach (var f in _figures)
        {
            var verdict = f.Met switch { true => "met", false => "**missed**", null => "" };
            text.AppendLine(CultureInfo.InvariantCulture, $"| {f.Scenario} | {f.Name}{(f.Note is null ? "" : $" ({f.Note})")} | {Format(f.Value)} {f.Unit} | {f.Target ?? ""} | {verdict} |");
        }

        return text.ToString();
    }

    public async Task WriteJsonAsync(string path, string[] arguments)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var document = new
        {
            taken_at = DateTimeOffset.UtcNow,
            arguments,
            machine = new
            {
                os = RuntimeInformation.OSDescription,
                cpus = Environment.ProcessorCount,
                cpu_model = CpuModel(),
                memory_gb = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024 / 1024, 1),
                runtime = RuntimeInformation.FrameworkDescription,
            },
            figures = _figures,
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        }));
    }

    public static string Format(double value) =>
        value.ToString(Math.Abs(value) >= 100 ? "0" : Math.Abs(value) >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    public static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}

internal static class Percentiles
{
    /// <summary>The nearest-rank percentile of <paramref name="sorted"/> (ascending).</summary>
    public static double Of(IReadOnlyList<double> sorted, double percentile)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
