namespace NasActors.Runtime.Experiment;

/// <summary>
/// Told by the experiment each time events are journaled, so the store's identity file can follow the journal (see
/// <see cref="Hosting.StoreIdentity"/>). Throws <see cref="Core.NasUserException"/> when it cannot write (a full disk):
/// the experiment then stops with that line.
/// </summary>
public interface IStoreKeeper
{
    void Persisted(long sequenceNr);
}
