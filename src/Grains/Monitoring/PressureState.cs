namespace Assistant.Monitoring;

/// <summary>
/// What the ResourceMonitor last decided, as this silo knows it: whether CPU throttling is on
/// (new chat requests queue or get 429; streaming slows down), whether the service is in
/// emergency mode, and the cluster's health score. The monitor pushes it to every silo's agent
/// after each health cycle.
/// </summary>
public sealed class PressureState
{
    private volatile bool _throttling;
    private volatile bool _emergency;
    private volatile object? _healthScore;
    private volatile int _otherSilosSessions;

    public bool Throttling => _throttling;

    public bool Emergency => _emergency;

    /// <summary>0-100; null until the first health cycle has reached this silo.</summary>
    public double? HealthScore => (double?)_healthScore;

    /// <summary>Sessions active on the other silos at the last health cycle (0 until one reached this silo).</summary>
    public int OtherSilosSessions => _otherSilosSessions;

    /// <summary>Raised after each <see cref="Set"/> (the chat admission lets waiting turns in when throttling ends).</summary>
    public event Action? Changed;

    public void Set(bool throttling, bool emergency, double healthScore, int otherSilosSessions = 0)
    {
        _otherSilosSessions = otherSilosSessions;
        _throttling = throttling;
        _emergency = emergency;
        _healthScore = healthScore;
        Changed?.Invoke();
    }
}
