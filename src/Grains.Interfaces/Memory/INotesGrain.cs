namespace Assistant.Memory;

/// <summary>
/// The notes one person asked the assistant to keep (the model's <c>remember</c> and <c>forget</c>
/// tools, <c>/memory</c>). Keyed by owner (<see cref="NoteOwner"/>): a Telegram user, whichever chat
/// they write in, or one HTTP session. Sent only with that owner's own requests.
/// </summary>
[Alias("Assistant.Memory.INotesGrain")]
public interface INotesGrain : IGrainWithStringKey
{
    /// <summary>The notes, oldest first.</summary>
    [Alias("List")]
    Task<IReadOnlyList<string>> ListAsync();

    /// <summary>Keeps <paramref name="text"/>; says what happened, in words the model passes on.</summary>
    [Alias("Remember")]
    Task<string> RememberAsync(string text);

    /// <summary>Drops the notes that contain <paramref name="text"/> (case ignored); how many went.</summary>
    [Alias("Forget")]
    Task<int> ForgetAsync(string text);

    /// <summary>Drops every note; how many went.</summary>
    [Alias("Clear")]
    Task<int> ClearAsync();
}

/// <summary>Who notes belong to: the grain key of <see cref="INotesGrain"/>.</summary>
public static class NoteOwner
{
    /// <summary>
    /// Senders that are not one person: 0 (no sender), Telegram's service account (777000), the
    /// stand-ins for anonymous group admins (GroupAnonymousBot) and posts sent as a channel
    /// (Channel_Bot). Many people write as each of them, so none of them has notes.
    /// </summary>
    public static bool IsPerson(long userId) => userId > 0 && userId is not (777_000 or 1_087_968_824 or 136_817_688);

    public static string TelegramUser(long userId) => $"tg-user:{userId}";

    /// <summary>The owner of the notes of the person who sent <paramref name="message"/>; null for a sender many share (<see cref="IsPerson"/>).</summary>
    public static string? Sender(Assistant.Telegram.TelegramIncoming message) => IsPerson(message.UserId) ? TelegramUser(message.UserId) : null;

    /// <summary>An HTTP session's own notes (<c>api:&lt;id&gt;</c>, the session's key).</summary>
    public static string Session(string sessionKey) => sessionKey;
}
