using System.Data.Common;
using Assistant.Storage;

namespace Assistant.Sessions;

/// <summary>
/// The mark the recovery sweep finds a chat by (<c>chat_sessions.pending_since</c>), written in the
/// same transaction as the Telegram inbox whenever the inbox holds messages: a message accepted,
/// and so confirmed to Telegram, is never stored without it, whatever happens to the silo next.
/// A mark that outlives its messages is harmless: the sweep wakes the session, which clears it.
/// </summary>
internal sealed class InboxPendingMark : IStateCompanion
{
    public const string StateName = "telegram_inbox";

    public Func<DbConnection, DbTransaction, Task>? Beside(string stateName, string grainKey, object? state)
    {
        if (stateName != StateName || state is not TelegramInboxState { Items.Count: > 0 } inbox)
        {
            return null;
        }

        var since = inbox.Items.Min(i => i.AcceptedAt);
        return (connection, transaction) => SessionDirectory.MarkPendingAsync(connection, transaction, grainKey, since);
    }
}
