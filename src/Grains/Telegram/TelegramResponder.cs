using Microsoft.Extensions.DependencyInjection;
using Assistant.Monitoring;
using Assistant.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot.Types.Enums;

namespace Assistant.Telegram;

/// <summary>What a session needs to answer in Telegram: reply writers, short notices, and who may do what.</summary>
public sealed class TelegramResponder(
    TelegramOutbox outbox,
    StreamingCadence cadence,
    FloodGate gate,
    IOptions<TelegramOptions> options,
    PressureState pressure,
    Media.MediaReader media,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger<TelegramResponder>();

    public bool IsAllowed(long userId) => options.Value.AllowedUsers.Count == 0 || options.Value.AllowedUsers.Contains(userId);

    public bool IsAdmin(long userId) => options.Value.AdminUsers.Contains(userId);

    public int MaxDeliveryAttempts => options.Value.MaxDeliveryAttempts;

    /// <summary>Reads the photos, voice notes and documents users send (<see cref="Media.MediaReader"/>).</summary>
    public Media.MediaReader Media => media;

    internal TelegramReplyWriter CreateWriter(TelegramTarget target, IReadOnlyList<int> sentBefore, Func<IReadOnlyList<int>, Task> persist, CancellationToken cancellationToken) =>
        new(outbox, cadence, gate, () => pressure.Throttling, time, target, sentBefore, persist, cancellationToken, _logger);

    /// <summary>Sends a short fixed text in reply to the user's message.</summary>
    public Task<int> NoticeAsync(TelegramTarget target, string text, CancellationToken cancellationToken = default) =>
        outbox.SendAsync(target, Formatting.OutgoingText.Plain(text), replyToUser: true, cancellationToken);
}
