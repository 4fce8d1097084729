namespace Assistant.Sessions;

/// <summary>
/// A conversation as it was stored before the key spaces, under the key <see cref="Key"/>: its
/// state and its accepted Telegram messages not yet answered.
/// </summary>
[GenerateSerializer, Alias("Assistant.Sessions.LegacyConversation")]
public sealed record class LegacyConversation(
    [property: Id(0)] string Key,
    [property: Id(1)] ChatSessionState Session,
    [property: Id(2)] List<TelegramInboxItem> Inbox);

/// <summary>Taking in a conversation from before the key spaces; implemented by the session grain.</summary>
[Alias("Assistant.Sessions.ISessionAdoption")]
public interface ISessionAdoption : IGrainWithStringKey
{
    /// <summary>Merges <paramref name="conversation"/> into this session; a second call with the same key changes nothing.</summary>
    [Alias("Adopt")]
    Task AdoptAsync(LegacyConversation conversation);
}

/// <summary>A conversation stored under a key from before the key spaces.</summary>
[Alias("Assistant.Sessions.ILegacySessionGrain")]
public interface ILegacySessionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Moves the stored conversation into its key space, removes the old copy and its index row,
    /// and returns the new key (null when nothing was stored). Safe to repeat.
    /// </summary>
    [Alias("Migrate")]
    Task<string?> MigrateAsync();
}
