namespace Assistant.Sessions;

/// <summary>
/// A conversation as it was stored before the key spaces, under the bare key <see cref="Key"/>:
/// its state, its accepted Telegram messages not yet answered, and the key it belongs under now.
/// </summary>
[GenerateSerializer, Alias("Assistant.Sessions.LegacyConversation")]
public sealed record class LegacyConversation(
    [property: Id(0)] string Key,
    [property: Id(1)] string Target,
    [property: Id(2)] ChatSessionState Session,
    [property: Id(3)] List<TelegramInboxItem> Inbox);

/// <summary>Taking in a conversation from before the key spaces; implemented by the session grain.</summary>
[Alias("Assistant.Sessions.ISessionAdoption")]
public interface ISessionAdoption : IGrainWithStringKey
{
    /// <summary>Takes over the conversation stored under this session's bare key, if it belongs here; safe to repeat.</summary>
    [Alias("AdoptLegacy")]
    Task AdoptLegacyAsync();
}

/// <summary>A conversation stored under a key from before the key spaces.</summary>
[Alias("Assistant.Sessions.ILegacySessionGrain")]
public interface ILegacySessionGrain : IGrainWithStringKey
{
    /// <summary>What is stored, with the key it belongs under; null (and the index row removed) when nothing is.</summary>
    [Alias("Read")]
    Task<LegacyConversation?> ReadAsync();

    /// <summary>Removes the old copy and its index row, once the session of <see cref="LegacyConversation.Target"/> holds it.</summary>
    [Alias("Release")]
    Task ReleaseAsync();
}
