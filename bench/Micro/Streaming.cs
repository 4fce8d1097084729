using System.Text;
using BenchmarkDotNet.Attributes;
using Assistant.Sessions;

namespace Assistant.Benchmarks;

/// <summary>
/// What a streamed answer costs the session while it streams: a hosted model sends about a token a
/// chunk (here 2,000 characters in 500 chunks), and after every chunk the Telegram reply writer
/// looks at the answer so far; it needs the text itself only for a preview, about once a second
/// (here every 100th chunk). Before: the whole text was built after every chunk. Now:
/// <see cref="TextSoFar"/> gives the length, and the text only when asked for.
/// </summary>
[MemoryDiagnoser]
public class StreamedAnswer
{
    private const int Chunks = 500;
    private const int PreviewEvery = 100;
    private readonly string _chunk = new('t', 4);

    [Benchmark(Baseline = true)]
    public int WholeTextAfterEveryChunk()
    {
        var text = new StringBuilder();
        var seen = 0;
        for (var i = 1; i <= Chunks; i++)
        {
            text.Append(_chunk);
            var soFar = text.ToString();
            seen += soFar.Length;
            if (i % PreviewEvery == 0)
            {
                seen += soFar[0];
            }
        }

        return seen;
    }

    [Benchmark]
    public int TextSoFarAfterEveryChunk()
    {
        var text = new StringBuilder();
        var seen = 0;
        for (var i = 1; i <= Chunks; i++)
        {
            text.Append(_chunk);
            var soFar = new TextSoFar(text);
            seen += soFar.Length;
            if (i % PreviewEvery == 0)
            {
                seen += soFar.ToString()[0];
            }
        }

        return seen;
    }
}
