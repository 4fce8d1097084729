namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>Several real silo processes on this host sharing one database, as <c>scripts/start.sh --silos N</c> runs them.</summary>
public sealed class SiloCluster : IAsyncDisposable
{
    private readonly string _directory;
    private readonly Dictionary<string, string> _environment;

    public SiloCluster(string purpose, IDictionary<string, string?> settings)
    {
        _directory = TestPaths.NewTempDirectory(purpose);
        _environment = settings.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value!);
        _environment.TryAdd("Storage__DatabasePath", Path.Combine(_directory, "data", "system.db"));
        _environment.TryAdd("Logs__Console", "true");
    }

    public List<SiloProcess> Silos { get; } = [];

    public string DatabasePath => _environment["Storage__DatabasePath"];

    public async Task<SiloProcess> StartSiloAsync()
    {
        var silo = AddSilo();
        await silo.StartAndWaitHealthyAsync(TimeSpan.FromSeconds(90));
        return silo;
    }

    /// <summary>A silo of this cluster, not started yet.</summary>
    public SiloProcess AddSilo()
    {
        var silo = new SiloProcess(Path.Combine(_directory, $"silo{Silos.Count + 1}"), _environment);
        Directory.CreateDirectory(silo.WorkingDirectory);
        Silos.Add(silo);
        return silo;
    }

    /// <summary>The silo whose name (host-siloPort) is <paramref name="siloName"/>.</summary>
    public SiloProcess ByName(string siloName) =>
        Silos.Single(s => siloName.EndsWith("-" + s.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

    public IEnumerable<SiloProcess> Running => Silos.Where(s => !s.HasExited);

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            await silo.DisposeAsync();
        }
    }
}
