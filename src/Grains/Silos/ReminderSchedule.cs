namespace Assistant.Silos;

/// <summary>
/// Keeps a grain's reminder at the period its settings give, as every activation (a start, a
/// restart, a failover) finds it. An unchanged reminder is left as registered: registering it
/// again would push its next tick a whole period back, and a daily task that fails over every
/// few hours would never run. A changed period is registered anew; zero or less removes it.
/// The period registered is read from the reminder table, so nothing is kept beside it.
/// </summary>
internal static class ReminderSchedule
{
    public static async Task EnsureAsync(this Grain grain, IReminderTable table, string name, TimeSpan period)
    {
        var registered = await table.ReadRow(grain.GetGrainId(), name);
        if (period <= TimeSpan.Zero)
        {
            if (registered is not null && await grain.GetReminder(name) is { } reminder)
            {
                await grain.UnregisterReminder(reminder);
            }
        }
        else if (registered is null || registered.Period != period)
        {
            await grain.RegisterOrUpdateReminder(name, period, period);
        }
    }
}
