using Microsoft.Extensions.Logging;

namespace Assistant.Telegram;

/// <summary>The lines <see cref="TelegramChannelGrain"/> writes, in the operations guide's words.</summary>
internal static partial class TelegramChannelLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "🚀 Telegram channel started in {Mode} mode on silo {Silo}")]
    public static partial void Started(ILogger logger, string mode, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "🛑 Telegram channel stopped on silo {Silo} ({Reason})")]
    public static partial void Stopped(ILogger logger, string silo, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to Telegram as @{Username} ({BotId})")]
    public static partial void Identity(ILogger logger, string username, long botId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram webhook set to {Url}")]
    public static partial void WebhookSet(ILogger logger, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram: {Error}")]
    public static partial void Failed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram reports {Pending} pending updates but polls at offset {Offset} return none: update ids started again lower; re-syncing the offset")]
    public static partial void Resync(ILogger logger, int pending, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram: the stalled poll loop did not end within {Seconds:0} s of being stopped; starting the new one anyway")]
    public static partial void OldLoopLingers(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram polling stalled: no getUpdates completed for {Seconds:0} s; restarting it (restart {Count})")]
    public static partial void Stalled(ILogger logger, double seconds, long count);
}
