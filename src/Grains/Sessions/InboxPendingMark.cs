using System.Data.Common;
using Assistant.Storage;

namespace Assistant.Sessions;

/// <summary>
/// The mark the recovery sweep finds a chat by (<c>chat_sessions.pending_since</c>), written in the
/// same transaction as every write of the chat's delivery record (<see cref="TelegramInboxState"/>):
/// set to when its oldest waiting message was accepted, cleared when none waits. A message
/// accepted, and so confirmed to Telegram, is never stored without it, and one answered is never
/// marked after its answer is recorded, whatever happens to the silo next.
/// </summary>
internal sealed class InboxPendingMark : IStateCompanion
{
    public const string StateName = "telegram_delivery";

    public Func<DbConnection, DbTransaction, Task>? Beside(string stateName, string grainKey, object? state)
    {
        if (stateName != StateName || state is not TelegramInboxState inbox)
        {
            return null;
        }

        DateTimeOffset? since = inbox.Items.Count == 0 ? null : inbox.Items.Min(i => i.AcceptedAt);
        return (connection, transaction) => SessionDirectory.SetPendingAsync(connection, transaction, grainKey, since);
    }
}
