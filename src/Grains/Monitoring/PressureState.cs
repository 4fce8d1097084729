namespace Assistant.Monitoring;

/// <summary>
/// What the ResourceMonitor last decided about pressure, as this silo knows it: whether CPU
/// throttling is on (new chat requests queue or get 429; streaming slows down) and whether the
/// service is in emergency mode. The monitor pushes it to every silo's agent.
/// </summary>
public sealed class PressureState
{
    private volatile bool _throttling;
    private volatile bool _emergency;

    public bool Throttling => _throttling;

    public bool Emergency => _emergency;

    public void Set(bool throttling, bool emergency)
    {
        _throttling = throttling;
        _emergency = emergency;
    }
}
