namespace Assistant.Sessions;

/// <summary>
/// A model-independent token estimate: about four characters a token (the usual rule for
/// English with GPT-style tokenizers) plus a few tokens of per-message framing. It bounds the
/// context; it does not bill anyone.
/// </summary>
public static class TokenEstimator
{
    public const int PerMessageOverhead = 4;

    public static int Estimate(string text) => ((text.Length + 3) / 4) + PerMessageOverhead;
}
