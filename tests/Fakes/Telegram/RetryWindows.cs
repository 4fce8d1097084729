namespace Assistant.Fakes.Telegram;

/// <summary>
/// The time a 429 asks a client to wait, as Telegram keeps it: once the server has answered
/// <c>retry_after: S</c>, the same scope is refused for S seconds, and a call made inside the window
/// is a client's fault to be counted. Scopes: a chat (every method that names it: messages, edits,
/// chat actions), the long poll, and the whole bot (a flood ban: every method).
/// </summary>
internal sealed class RetryWindows(Func<DateTimeOffset> now)
{
    public const string Bot = "bot";
    public const string Poll = "poll";

    /// <summary>
    /// A call this close to a window's end is not counted: the client measures its wait from when
    /// the 429 reached it, on its own clock, so the last milliseconds are not its fault.
    /// </summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(100);

    private readonly object _sync = new();
    private readonly Dictionary<string, DateTimeOffset> _until = [];

    public static string Chat(long chatId) => "chat:" + chatId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The scopes a call falls in: the bot always, the poll for getUpdates, its chat when it names one.</summary>
    public static IEnumerable<string> Of(string method, long? chatId)
    {
        yield return Bot;
        if (method.Equals("getUpdates", StringComparison.OrdinalIgnoreCase))
        {
            yield return Poll;
        }

        if (chatId is { } chat)
        {
            yield return Chat(chat);
        }
    }

    public void Open(string scope, int seconds)
    {
        lock (_sync)
        {
            var until = now() + TimeSpan.FromSeconds(seconds);
            if (!_until.TryGetValue(scope, out var open) || open < until)
            {
                _until[scope] = until;
            }
        }
    }

    /// <summary>The longest wait left over the scopes, or null when none of them is closed now (within <see cref="Tolerance"/>).</summary>
    public TimeSpan? Left(IEnumerable<string> scopes)
    {
        lock (_sync)
        {
            var at = now();
            var left = scopes.Select(s => _until.TryGetValue(s, out var until) ? until - at : TimeSpan.Zero).Max();
            return left > Tolerance ? left : null;
        }
    }
}
