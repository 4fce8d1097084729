namespace Assistant;

/// <summary>
/// The service's own clock: a keyed <see cref="TimeProvider"/> (<c>[FromKeyedServices(Clock.Key)]</c>),
/// separate from the one Orleans runs on, so tests can drive the service's time (cooldowns,
/// hysteresis, retention) without stopping Orleans' own timers.
/// </summary>
public static class Clock
{
    public const string Key = "assistant";
}
