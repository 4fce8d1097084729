namespace Assistant.Storage;

/// <summary>
/// When SQLite waits for the disk (<c>Storage:SqliteSynchronous</c>, SQLite's <c>PRAGMA synchronous</c>
/// under WAL). Ignored on PostgreSQL.
/// </summary>
public enum SqliteSynchronous
{
    /// <summary>
    /// Every commit reaches the disk before it returns (default): a message confirmed to Telegram
    /// survives a crash of the process, of the operating system and a power cut.
    /// </summary>
    Full,

    /// <summary>
    /// Commits are written to the log but reach the disk only at checkpoints: a message confirmed to
    /// Telegram survives a crash of the process (the operating system still holds the write); a power
    /// cut or a kernel crash may lose the last commits, and so messages already confirmed, or the
    /// record of answers already sent (answered again after the restart). Much
    /// faster where the disk's flush is slow; for a host whose power and kernel you trust.
    /// </summary>
    Normal,
}
