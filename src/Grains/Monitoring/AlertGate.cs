namespace Assistant.Monitoring;

/// <summary>
/// Lets an alert through once, then holds back the same alert (type and silo) for the cooldown,
/// so a condition that lasts does not flood the webhook and the admins. Its memory is part of the
/// monitor's persisted state, so a failover does not resend everything.
/// </summary>
public sealed class AlertGate(Dictionary<string, DateTimeOffset> lastDelivered, TimeSpan cooldown)
{
    public bool ShouldDeliver(PerformanceAlert alert, DateTimeOffset now)
    {
        var key = $"{alert.AlertType}@{alert.Silo}";
        if (lastDelivered.TryGetValue(key, out var last) && now - last < cooldown)
        {
            return false;
        }

        lastDelivered[key] = now;
        return true;
    }

    /// <summary>The alert did not go out after all (it could not be queued): the next cycle tries again.</summary>
    public void Undo(PerformanceAlert alert) => lastDelivered.Remove($"{alert.AlertType}@{alert.Silo}");

    /// <summary>Forgets deliveries older than the cooldown.</summary>
    public void Trim(DateTimeOffset now)
    {
        foreach (var key in lastDelivered.Where(kv => now - kv.Value >= cooldown).Select(kv => kv.Key).ToList())
        {
            lastDelivered.Remove(key);
        }
    }
}
