namespace Assistant.Monitoring;

/// <summary>Takes this silo's resource snapshot. Replaceable, so tests can set the figures.</summary>
public interface IResourceSampler
{
    /// <param name="cpuWindow">The CPU figure is the use over about this long, ending now.</param>
    ResourceSnapshot Sample(TimeSpan cpuWindow);
}
