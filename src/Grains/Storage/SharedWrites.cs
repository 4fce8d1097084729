using Orleans.Storage;

namespace Assistant.Storage;

/// <summary>
/// Writes of a reentrant grain's state, shared: each change made in memory (between awaits) waits
/// for a write that began after it; one write carries every change made while the one before it
/// was under way. A failed write fails every caller it carried (their changes stay in memory and
/// go with the next write). A write refused because the stored version moved (another activation
/// wrote) calls <c>onConflict</c>, which should end the activation, so the next one reads what is stored.
/// </summary>
internal sealed class SharedWrites(Func<Task> write, Action onConflict)
{
    private long _changed;
    private long _written;
    private Task? _writing;

    /// <summary>Returns once a write begun after this call's change has stored it.</summary>
    public async Task StoreAsync()
    {
        var mine = ++_changed;
        while (_written < mine)
        {
            if (_writing is null || _writing.IsCompleted)
            {
                _writing = WriteAsync();
            }

            await _writing;
        }
    }

    private async Task WriteAsync()
    {
        var generation = _changed;
        try
        {
            await write();
        }
        catch (InconsistentStateException)
        {
            onConflict();
            throw;
        }

        _written = Math.Max(_written, generation);
    }
}
