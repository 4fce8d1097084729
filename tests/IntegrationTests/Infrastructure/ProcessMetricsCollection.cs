namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that count series in <c>/metrics</c>. The OpenTelemetry exporter listens to meters by name,
/// process-wide, so while another test class runs an in-process silo at the same time, its series
/// show up too (seen: "expected one series, found 15"). These classes run alone, after the
/// parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMetricsCollection
{
    public const string Name = "process-wide metrics";
}
