using System.Diagnostics;
using NasActors.Runtime.Experiment;

namespace NasActors.Runtime.Hosting;

/// <summary>
/// Keeps STORE/NAME/identity.json following the journal while an experiment runs in this process: after the first
/// event (to record the journal's fingerprint), then at most once per <see cref="Interval"/> (an fsync'd rename per
/// batch would cost more than the batch), and once more when the host stops. Only sequence numbers the journal has
/// confirmed are recorded, so the file may lag the journal after a kill, never lead it.
/// </summary>
internal sealed class StoreKeeper : IStoreKeeper
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly ExperimentStore _store;
    private readonly string _name;
    private readonly object _gate = new();
    private readonly Stopwatch _sinceWrite = Stopwatch.StartNew();
    private StoreIdentity _written;
    private long _persisted;

    /// <summary>Starts from the identity file, or writes one from the journal as it is (a store made before the file existed).</summary>
    public StoreKeeper(ExperimentStore store, string name)
    {
        _store = store;
        _name = name;
        var existing = StoreIdentity.Read(store, name);
        if (existing is null)
        {
            var facts = ExperimentJournal.Facts(store, name);
            existing = StoreIdentity.New(name) with { FirstEvent = facts.FirstEvent, LastSequence = facts.FirstEvent is null ? 0 : facts.LastSequence };
            existing.WriteTo(store.DirectoryOf(name));
        }
        _written = existing;
        _persisted = existing.LastSequence;
    }

    public void Persisted(long sequenceNr)
    {
        lock (_gate)
        {
            _persisted = Math.Max(_persisted, sequenceNr);
            if (_written.FirstEvent is null || _sinceWrite.Elapsed >= Interval) Write();
        }
    }

    /// <summary>Records the last confirmed sequence number (when the host stops).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (_persisted > _written.LastSequence) Write();
        }
    }

    private void Write()
    {
        var first = _written.FirstEvent ?? ExperimentJournal.Facts(_store, _name).FirstEvent;
        // Without the first event's fingerprint the file records nothing (it cannot vouch for a journal it cannot name).
        var next = first is null ? _written : _written with { FirstEvent = first, LastSequence = _persisted };
        if (next == _written) return;
        next.WriteTo(_store.DirectoryOf(_name));
        _written = next;
        _sinceWrite.Restart();
    }
}
