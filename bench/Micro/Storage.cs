using BenchmarkDotNet.Attributes;
using Assistant.Sessions;
using Assistant.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace Assistant.Benchmarks;

/// <summary>
/// A full session's state (100 messages) through the grain storage serializer of each
/// <c>Storage:StateFormat</c>, built the way the silo builds it: every exchange writes this
/// state and every activation reads it.
/// </summary>
[MemoryDiagnoser]
public class SessionStateSerialization
{
    private IHost _host = null!;
    private IGrainStorageSerializer _serializer = null!;
    private ChatSessionState _state = null!;
    private BinaryData _serialized = null!;

    [Params(StateFormat.Binary, StateFormat.Json)]
    public StateFormat Format { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // An Orleans host supplies the serializers with the service's generated codecs, as in the silo.
        _host = Host.CreateDefaultBuilder().UseOrleans(silo => silo.UseLocalhostClustering()).Build();
        _serializer = StateFormats.Serializer(Format, _host.Services.GetRequiredService<Serializer>(), _host.Services.GetRequiredService<IGrainStorageSerializer>());
        _state = SessionStates.Full(DateTimeOffset.UnixEpoch);
        _serialized = _serializer.Serialize(_state);
        Console.WriteLine($"// {Format}: a full session state is {_serialized.ToMemory().Length:N0} bytes");
    }

    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    [Benchmark]
    public BinaryData Serialize() => _serializer.Serialize(_state);

    [Benchmark]
    public ChatSessionState? Deserialize() => _serializer.Deserialize<ChatSessionState>(_serialized);
}
