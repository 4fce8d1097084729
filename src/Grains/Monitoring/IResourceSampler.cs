namespace Assistant.Monitoring;

/// <summary>Takes this silo's resource snapshot. Replaceable, so tests can set the figures.</summary>
public interface IResourceSampler
{
    ResourceSnapshot Sample();
}
