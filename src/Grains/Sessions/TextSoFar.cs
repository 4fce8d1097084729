using System.Text;

namespace Assistant.Sessions;

/// <summary>
/// A streamed answer as it stands after a chunk: its length at no cost, its text only when asked.
/// A model streams an answer in many small chunks (a token each, with hosted models), and building
/// the whole text after every chunk costs memory quadratic in its length; the reply writer reads
/// the length after each chunk and the text only when it pushes a preview.
/// </summary>
/// <remarks>Valid only during the callback it is passed to: the builder goes on growing after it.</remarks>
public readonly struct TextSoFar(StringBuilder text, string? preface = null)
{
    private const string Separator = "\n\n";

    /// <summary>The length of <see cref="ToString"/>.</summary>
    public int Length => preface is null ? text.Length : preface.Length + Separator.Length + text.Length;

    /// <summary>The same text under <paramref name="line"/> (a media message's preface), or as it is for null.</summary>
    public TextSoFar UnderPreface(string? line) => new(text, line);

    public override string ToString() => Prefaced(preface, text.ToString());

    /// <summary><paramref name="answer"/> under <paramref name="line"/> (a media message's preface), or as it is for null: the one place that format is written.</summary>
    public static string Prefaced(string? line, string answer) => line is null ? answer : string.Concat(line, Separator, answer);
}
