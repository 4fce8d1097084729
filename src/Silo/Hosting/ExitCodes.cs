namespace Assistant.Silo.Hosting;

/// <summary>Exit codes the supervisor (<c>scripts/start.sh</c>, the systemd unit) acts on.</summary>
public static class ExitCodes
{
    public const int Stopped = 0;

    public const int Crashed = 1;

    /// <summary>A setting or the database is unusable; starting again would fail the same way.</summary>
    public const int StartupFailed = 2;

    /// <summary>The silo left the cluster on purpose and wants to be started again.</summary>
    public const int RestartRequested = 75;
}
