namespace Assistant.Monitoring;

/// <summary>One silo's resources at one moment, as its sampler measured them.</summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.ResourceSnapshot")]
public sealed record class ResourceSnapshot(
    [property: Id(0)] string Silo,
    [property: Id(1)] DateTimeOffset Timestamp,
    [property: Id(2)] double MemoryMb,
    [property: Id(3)] double CpuPercent,
    [property: Id(4)] int ActiveSessions,
    [property: Id(5)] int TotalProcesses,
    [property: Id(6)] double DiskUsagePercent,
    [property: Id(7)] NetworkIo NetworkIoBytes,
    [property: Id(8)] double MemoryUtilizationPercent,
    [property: Id(9)] ReplyFigures? Replies = null,
    [property: Id(10)] IReadOnlyList<int>? CpuAffinity = null);

/// <summary>
/// A silo's replies over the last <c>Monitoring:LatencyWindowMinutes</c>: how many and their
/// percentiles, text and media apart (the guide budgets them differently); and counters since the
/// silo started (<see cref="StartedAt"/> tells one start from the next): replies, and errors by
/// type. The monitor takes the differences of the counters.
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.ReplyFigures")]
public sealed record class ReplyFigures(
    [property: Id(0)] int TextReplies,
    [property: Id(1)] double TextP95Ms,
    [property: Id(2)] int MediaReplies,
    [property: Id(3)] double MediaP95Ms,
    [property: Id(4)] double P50Ms,
    [property: Id(5)] IReadOnlyDictionary<string, long> ErrorsSinceStart,
    [property: Id(6)] double P95Ms = 0,
    [property: Id(7)] long RepliesSinceStart = 0)
{
    /// <summary>When the silo's reply counters started. (A property, not a parameter with a default: the OpenAPI schema exporter cannot write a DateTimeOffset default.)</summary>
    [Id(8)]
    public DateTimeOffset StartedAt { get; init; }

    public static readonly ReplyFigures None = new(0, 0, 0, 0, 0, new Dictionary<string, long>());

    public int Replies => TextReplies + MediaReplies;
}

/// <summary>
/// Bytes sent and received on the host's network interfaces (loopback excluded) since boot. In JSON
/// the guide's <c>Tuple[int, int]</c>: <c>[sent, received]</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Assistant.Monitoring.NetworkIo")]
[System.Text.Json.Serialization.JsonConverter(typeof(NetworkIoJson))]
public sealed record class NetworkIo([property: Id(0)] long Sent, [property: Id(1)] long Received)
{
    /// <summary>The cluster's: every silo's bytes added (silos on one host count it once each).</summary>
    public static NetworkIo Sum(IEnumerable<NetworkIo> each) => each.Aggregate(new NetworkIo(0, 0), (a, b) => new NetworkIo(a.Sent + b.Sent, a.Received + b.Received));
}

/// <summary>Writes and reads <see cref="NetworkIo"/> as <c>[sent, received]</c>.</summary>
public sealed class NetworkIoJson : System.Text.Json.Serialization.JsonConverter<NetworkIo>
{
    public override NetworkIo Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        var pair = System.Text.Json.JsonSerializer.Deserialize<long[]>(ref reader, options);
        return pair is [var sent, var received] ? new NetworkIo(sent, received) : throw new System.Text.Json.JsonException("network_io_bytes must be [sent, received]");
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, NetworkIo value, System.Text.Json.JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.Sent);
        writer.WriteNumberValue(value.Received);
        writer.WriteEndArray();
    }
}
