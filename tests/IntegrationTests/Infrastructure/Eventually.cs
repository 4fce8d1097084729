namespace Assistant.IntegrationTests.Infrastructure;

/// <summary>
/// Bounded polling, for a state that only shows from outside (an API answer, another process, a
/// log line) and that no event announces. Fails with a <see cref="TimeoutException"/> naming what
/// was awaited once <c>timeout</c> has passed.
/// </summary>
public static class Eventually
{
    /// <summary>Probes every <paramref name="interval"/> until <paramref name="done"/> holds; returns that probe's value.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan timeout, TimeSpan interval)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what} (last seen: {value}).");
            }

            await Task.Delay(interval);
        }
    }

    public static Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan timeout, TimeSpan interval) =>
        UntilAsync(condition, met => met, what, timeout, interval);
}
