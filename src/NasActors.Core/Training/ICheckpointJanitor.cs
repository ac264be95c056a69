namespace NasActors.Core.Training;

/// <summary>
/// Deletes checkpoints that no future work can need. The experiment calls it only after the event that makes them
/// obsolete is persisted, so a crash leaves garbage at worst, never a missing checkpoint.
/// </summary>
public interface ICheckpointJanitor
{
    void Release(IReadOnlyCollection<string> checkpoints);
}
