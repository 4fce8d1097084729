namespace Assistant.Telegram;

public enum TelegramMode
{
    /// <summary>The channel grain long-polls getUpdates (default; works behind NAT).</summary>
    Polling,

    /// <summary>Telegram POSTs updates to <c>/telegram/webhook</c> on any silo (behind a load balancer).</summary>
    Webhook,
}
