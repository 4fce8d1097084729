namespace Assistant.Monitoring;

/// <summary>
/// CPU use over a window that ends now, whoever asks. Each reading of the process's CPU time is
/// kept with its timestamp for a while, and a figure "over the last 30 s" is taken against the
/// newest reading that is at least 30 s old (the oldest one while the process is younger). So a
/// caller that reads milliseconds after another gets nearly the same figure instead of the CPU of
/// those milliseconds, and no caller's baseline is another's.
/// </summary>
public sealed class CpuMeter
{
    private readonly Func<TimeSpan> _processorTime;
    private readonly TimeProvider _time;
    private readonly int _processors;
    private readonly TimeSpan _keep;
    private readonly LinkedList<(long At, TimeSpan Cpu)> _readings = new();
    private readonly object _sync = new();

    /// <param name="processorTime">The process's total CPU time so far (<see cref="Environment.CpuUsage"/> in production).</param>
    /// <param name="keep">How long readings are kept: the longest window anyone asks for, with room.</param>
    public CpuMeter(Func<TimeSpan> processorTime, TimeProvider time, int processors, TimeSpan keep)
    {
        _processorTime = processorTime;
        _time = time;
        _processors = Math.Max(1, processors);
        _keep = keep;
        _readings.AddLast((time.GetTimestamp(), processorTime()));
    }

    /// <summary>Percent of all cores used over (about) the last <paramref name="window"/>, 0-100.</summary>
    public double PercentOver(TimeSpan window)
    {
        lock (_sync)
        {
            var now = _time.GetTimestamp();
            var cpu = _processorTime();
            var baseline = _readings.First!.Value;
            foreach (var reading in _readings)
            {
                if (_time.GetElapsedTime(reading.At, now) < window)
                {
                    break;
                }

                baseline = reading;
            }

            _readings.AddLast((now, cpu));
            while (_readings.Count > 2 && _time.GetElapsedTime(_readings.First!.Next!.Value.At, now) > _keep)
            {
                _readings.RemoveFirst();
            }

            var wall = _time.GetElapsedTime(baseline.At, now);
            return wall <= TimeSpan.Zero ? 0 : Math.Round(Math.Clamp(100 * (cpu - baseline.Cpu) / wall / _processors, 0, 100), 1);
        }
    }
}
