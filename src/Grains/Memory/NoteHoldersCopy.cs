using Assistant.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistant.Memory;

/// <summary>
/// This silo's copy of the cluster's set of owners with notes (<see cref="INoteHoldersGrain"/>), so
/// <see cref="NotesCache"/> knows without a read that someone has none. The copy is trusted for
/// <c>Sessions:NotesCacheSeconds</c> after the read that made it began, and not at all after a note
/// was kept through this silo since then (until the next read): an owner it does not name then surely had no
/// notes that long ago, which is the staleness a copy of anyone's notes has anyway. While no copy is
/// trusted, every owner's notes are read, and a read of the set is started (one at a time).
/// </summary>
internal sealed partial class NoteHoldersCopy(
    IGrainFactory grains,
    IOptions<ChatSessionOptions> sessions,
    [FromKeyedServices(Clock.Key)] TimeProvider time,
    ILogger<NoteHoldersCopy> logger)
{
    private readonly TimeSpan _fresh = TimeSpan.FromSeconds(sessions.Value.NotesCacheSeconds);
    private readonly Lock _gate = new();
    private Held? _held;
    private bool _trusted;
    private long _kept;
    private Task? _reading;

    /// <summary>True when a trusted copy does not name <paramref name="owner"/>: they have no notes.</summary>
    public bool HasNone(string owner)
    {
        Held? held;
        lock (_gate)
        {
            held = _trusted ? _held : null;
        }

        if (held is not null && time.GetElapsedTime(held.At) < _fresh)
        {
            return !held.Owners.Contains(owner);
        }

        StartReading();
        return false;
    }

    /// <summary>A note was kept through this silo: the copy is not trusted until it is read again.</summary>
    public void NoteKept()
    {
        lock (_gate)
        {
            _kept++;
            _trusted = false;
        }
    }

    /// <summary>The read of the set under way, if any (tests wait for it).</summary>
    internal Task Reading
    {
        get
        {
            lock (_gate)
            {
                return _reading ?? Task.CompletedTask;
            }
        }
    }

    private void StartReading()
    {
        if (_fresh <= TimeSpan.Zero)
        {
            return;
        }

        lock (_gate)
        {
            if (_reading is { IsCompleted: false })
            {
                return;
            }

            _reading = ReadAsync(_kept, _held?.Version ?? -1, time.GetTimestamp());
        }
    }

    private async Task ReadAsync(long kept, long knownVersion, long startedAt)
    {
        await Task.Yield(); // off the caller's thread and out of the lock it was started under
        try
        {
            var read = await grains.GetGrain<INoteHoldersGrain>(0).ReadAsync(knownVersion);
            lock (_gate)
            {
                var owners = read is null ? _held?.Owners : read.Owners.ToHashSet(StringComparer.Ordinal);
                if (owners is not null)
                {
                    _held = new Held(read?.Version ?? knownVersion, owners, startedAt);
                    _trusted = _kept == kept;
                }
            }
        }
        catch (Exception e)
        {
            LogReadFailed(logger, e.Message); // each owner's notes are read meanwhile; the next turn tries again
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The set of owners with notes could not be read ({Error}); notes are read per owner meanwhile")]
    private static partial void LogReadFailed(ILogger logger, string error);

    private sealed record Held(long Version, HashSet<string> Owners, long At);
}
