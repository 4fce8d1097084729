using System.Text;

namespace Assistant.Sessions;

/// <summary>One message of the context window, as persisted.</summary>
/// <remarks>
/// The text is held as UTF-8: a session keeps up to 100 messages in memory for as long as it is
/// active, and UTF-8 takes half the space of a .NET string for Latin text (the same for Cyrillic).
/// Reading <see cref="Text"/> decodes it, so hot paths use <see cref="Utf8Length"/> where they can.
/// An entry never changes once created (the setters are for the serializer), so it is
/// <see cref="ImmutableAttribute">Immutable</see>: a copy of the session's state shares its entries.
/// </remarks>
[GenerateSerializer, Immutable, Alias("Assistant.Sessions.ChatEntry")]
public sealed class ChatEntry
{
    public const string User = "user";
    public const string Assistant = "assistant";

    [NonSerialized]
    private string _role = User;
    [NonSerialized]
    private byte[] _text = [];

    /// <summary><see cref="User"/> or <see cref="Assistant"/>; stored state shares the two constants rather than a copy per message.</summary>
    [Id(0)]
    public string Role
    {
        get => _role;
        set => _role = value switch { User => User, Assistant => Assistant, _ => value };
    }

    [Id(1)]
    public string Text
    {
        get => Encoding.UTF8.GetString(_text);
        set => _text = Encoding.UTF8.GetBytes(value);
    }

    [Id(2)]
    public DateTimeOffset Time { get; set; }

    /// <summary>The token estimate of <see cref="Text"/>, computed once when the message is added.</summary>
    [Id(3)]
    public int Tokens { get; set; }

    /// <summary>The size of the text in memory, in bytes.</summary>
    internal int Utf8Length => _text.Length;

    public static ChatEntry Create(string role, string text, DateTimeOffset time) =>
        new() { Role = role, Text = text, Time = time, Tokens = TokenEstimator.Estimate(text) };
}
