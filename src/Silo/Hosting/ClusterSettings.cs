namespace Assistant.Silo.Hosting;

/// <summary>How this silo joins the cluster. Section <c>Cluster</c>.</summary>
public sealed class ClusterSettings
{
    public const string Section = "Cluster";

    /// <summary>The deployment: silos with the same cluster id form one cluster. Default <c>assistant</c>.</summary>
    public string ClusterId { get; set; } = "assistant";

    /// <summary>
    /// The service: grain state and reminders belong to it and survive redeployments under a
    /// new cluster id. Default <c>assistant</c>.
    /// </summary>
    public string ServiceId { get; set; } = "assistant";

    /// <summary>Name of this silo in logs and the dashboard. Default: host name and silo port.</summary>
    public string? SiloName { get; set; }

    /// <summary>Port for silo-to-silo traffic. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port for Orleans clients. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos use to reach this one. Default 127.0.0.1 (one host).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// Address the silo and gateway ports listen on. Default: the advertised address. Use
    /// 0.0.0.0 behind NAT or in containers.
    /// </summary>
    public string? ListenAddress { get; set; }

    /// <summary>Seconds a membership probe may take before it counts as missed. Default 2.</summary>
    public double ProbeTimeoutSeconds { get; set; } = 2;

    /// <summary>Missed probes after which a silo suspects another. Default 2.</summary>
    public int MissedProbesLimit { get; set; } = 2;

    /// <summary>Suspicions needed to declare a silo dead. Default 1.</summary>
    public int VotesForDeathDeclaration { get; set; } = 1;

    /// <summary>Seconds between "I am alive" writes to the membership table. Default 5.</summary>
    public double IAmAliveSeconds { get; set; } = 5;

    /// <summary>Seconds between full reads of the membership table. Default 5.</summary>
    public double TableRefreshSeconds { get; set; } = 5;

    /// <summary>
    /// Whether an open connection to a silo vetoes suspecting it. Off by default: with it on, a
    /// hung silo (SIGSTOP) took about a minute to be declared dead instead of about two seconds.
    /// </summary>
    public bool ConnectionLivenessCheck { get; set; }

    /// <summary>Seconds a grain call may wait for its answer. Default 120.</summary>
    public double ResponseTimeoutSeconds { get; set; } = 120;

    /// <summary>
    /// Grain addresses each silo keeps in its directory cache. Default 100,000 (Orleans' own is
    /// 1,000,000): the cache's table is allocated at its full size, about 9 MB resident at a million,
    /// and every metrics collection walks it to count its entries. A silo of this service holds
    /// thousands of sessions, not hundreds of thousands; a grain not in the cache is looked up again.
    /// </summary>
    public int DirectoryCacheSize { get; set; } = 100_000;
}
