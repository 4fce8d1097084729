namespace Assistant.Telegram;

/// <summary>The Telegram channel. Section <c>Telegram</c>; with no bot token the channel is disabled.</summary>
public sealed class TelegramOptions
{
    public const string Section = "Telegram";

    /// <summary>The bot token from @BotFather. Also read from the file <c>scripts/telegram_login.sh</c> writes.</summary>
    public string? BotToken { get; set; }

    /// <summary>Base URL of the Bot API. Default the public one; a local Bot API server or a test server otherwise.</summary>
    public string ApiBaseUrl { get; set; } = "https://api.telegram.org";

    /// <summary><c>Polling</c> (default) or <c>Webhook</c>.</summary>
    public TelegramMode Mode { get; set; } = TelegramMode.Polling;

    /// <summary>User ids allowed to talk to the bot; empty allows everyone.</summary>
    public List<long> AllowedUsers { get; set; } = [];

    /// <summary>User ids allowed to use <c>/status</c>.</summary>
    public List<long> AdminUsers { get; set; } = [];

    /// <summary>Public HTTPS URL Telegram posts updates to, ending in <c>/telegram/webhook</c> (webhook mode).</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Secret Telegram sends in <c>X-Telegram-Bot-Api-Secret-Token</c> (webhook mode; 1-256 of A-Z a-z 0-9 _ -).</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Seconds one getUpdates long poll may wait for updates. Default 25.</summary>
    public int PollTimeoutSeconds { get; set; } = 25;

    /// <summary>Seconds without a completed getUpdates after which the watchdog restarts polling. Default 90.</summary>
    public int StallSeconds { get; set; } = 90;

    /// <summary>
    /// Seconds one update may take to be handed to its session; past it the update is parked and
    /// tried again with backoff, so a chat whose session hangs holds up neither the batch nor the
    /// offset. Two of them and a poll must fit in <see cref="StallSeconds"/>. Default 20.
    /// </summary>
    public double DeliveryTimeoutSeconds { get; set; } = 20;

    /// <summary>
    /// Seconds after which an accepted but unanswered message counts as left behind (its silo was
    /// lost) and the channel wakes its session; also how often it looks. Default 10.
    /// </summary>
    public double RecoverySeconds { get; set; } = 10;

    /// <summary>
    /// How often handing a message to its session, or answering it, may fail before the user is
    /// told and the message is set aside as a dead letter (<c>GET /telegram/dead-letters</c>). Default 5.
    /// </summary>
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>The largest document the bot reads into a message, in bytes. Default 256 KB.</summary>
    public long MaxDocumentBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// The largest photo the bot looks at, in bytes: of the sizes Telegram offers, the largest
    /// within this is fetched and shown to the model. Default 5 MB.
    /// </summary>
    public long MaxPhotoBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>The longest voice note or audio file the bot transcribes, in seconds. Default 300.</summary>
    public int MaxAudioSeconds { get; set; } = 300;

    /// <summary>The file <c>scripts/telegram_login.sh</c> stores the token in. Default <c>secrets/telegram.json</c>.</summary>
    public string SecretsFile { get; set; } = "secrets/telegram.json";

    public FloodGateOptions FloodGate { get; set; } = new();

    public bool Enabled => !string.IsNullOrWhiteSpace(BotToken);
}
