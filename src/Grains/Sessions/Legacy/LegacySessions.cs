namespace Assistant.Sessions;

/// <summary>
/// Whether this silo may still find conversations stored before the key spaces: true from start
/// until <see cref="LegacySessionMigration"/> has found none left, so that afterwards a session's
/// activation does not look for one.
/// </summary>
public sealed class LegacySessions
{
    private volatile bool _mayRemain = true;

    public bool MayRemain => _mayRemain;

    public void NoneRemain() => _mayRemain = false;
}
