namespace Assistant.Access;

/// <summary>
/// Who a Telegram user is to the bot, least to most: a guest (anyone else, with <c>Roles:AllowGuests</c>),
/// a user, an admin, an owner. An owner or admin manages the others with <c>/grant</c>, <c>/quota</c>,
/// <c>/ban</c> and <c>/unban</c>.
/// </summary>
[GenerateSerializer, Alias("Assistant.Access.Role")]
public enum Role
{
    Guest = 0,
    User = 1,
    Admin = 2,
    Owner = 3,
}

/// <summary>Whether a message is within its sender's <c>Roles:ROLE:MessagesPerMinute</c>.</summary>
[GenerateSerializer, Alias("Assistant.Access.Pace")]
public enum Pace
{
    /// <summary>Within the rate (or not counted): it may be answered.</summary>
    Within = 0,

    /// <summary>Over the rate: not answered, and the sender is told to slow down (once a minute).</summary>
    SlowDown = 1,

    /// <summary>Over the rate, told already this minute: not answered, nothing said.</summary>
    Quiet = 2,
}
