using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace Assistant.Telegram;

/// <summary>This silo's Bot API client and what it knows of the bot itself (getMe, asked once).</summary>
public sealed class TelegramBot(IOptions<TelegramOptions> options, IHttpClientFactory http)
{
    public const string HttpClientName = "telegram";

    // The client's own 429 retry is off: the flood gate waits out retry_after, counts it and keeps the message queued.
    private readonly Lazy<ITelegramBotClient> _client = new(() => new TelegramBotClient(
        new TelegramBotClientOptions(options.Value.BotToken!, options.Value.ApiBaseUrl.TrimEnd('/')) { RetryThreshold = 0, RetryCount = 0 },
        http.CreateClient(HttpClientName)));

    private TelegramBotUser? _identity;

    public bool Enabled => options.Value.Enabled;

    public TelegramOptions Options => options.Value;

    public ITelegramBotClient Client => Enabled ? _client.Value : throw new InvalidOperationException("The Telegram channel is disabled: Telegram:BotToken is not set.");

    public async Task<TelegramBotUser> IdentityAsync(CancellationToken cancellationToken = default)
    {
        if (_identity is { } known)
        {
            return known;
        }

        var me = await Client.GetMe(cancellationToken);
        return _identity = new TelegramBotUser(me.Id, me.Username, me.FirstName);
    }
}
