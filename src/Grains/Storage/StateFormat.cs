using Orleans.Serialization;
using Orleans.Storage;

namespace Assistant.Storage;

/// <summary>How grain state is written to the database (<c>Storage:StateFormat</c>).</summary>
public enum StateFormat
{
    /// <summary>
    /// Orleans' own binary serializer (default): a session's state is written after every exchange,
    /// and this costs a fraction of the CPU and garbage of JSON. Version-tolerant through the
    /// <c>[Id]</c> and <c>[Alias]</c> attributes every state type carries.
    /// </summary>
    Binary,

    /// <summary>JSON, readable with any SQL client: for inspecting state, at the cost above.</summary>
    Json,
}

public static class StateFormats
{
    /// <summary>
    /// The grain storage serializer for <paramref name="format"/>; it also reads rows written in the
    /// other format, so switching formats needs no migration.
    /// </summary>
    public static IGrainStorageSerializer Serializer(StateFormat format, Serializer orleans, IGrainStorageSerializer json)
    {
        var binary = new BinaryStateSerializer(orleans);
        return format == StateFormat.Json ? new GrainStorageSerializer(json, binary) : new GrainStorageSerializer(binary, json);
    }
}

/// <summary>
/// Orleans' binary format, byte for byte what <see cref="OrleansGrainStorageSerializer"/> writes, into
/// one array of the exact size. That serializer grows an array by doubling and copies out of it
/// (about three times a state's size in garbage); a session's state is tens of KB and is written
/// after every exchange, so this is one allocation of its size, which the store writes as it is.
/// </summary>
internal sealed class BinaryStateSerializer(Serializer orleans) : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(orleans.SerializeToArray(input));

    public T? Deserialize<T>(BinaryData input) => orleans.Deserialize<T>(input.ToMemory());
}
