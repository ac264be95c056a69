using NasActors.Runtime.Experiment;

namespace NasActors.Runtime.Cluster;

/// <summary>
/// Follows the experiment a controller node runs (its TensorBoard files): told of every progress notification on the
/// coordinator's thread, so it only flags work and never waits; disposed (off that thread) when the experiment ends,
/// after which it has caught up with everything journaled.
/// </summary>
public interface IExperimentObserver : IDisposable
{
    void Notify(ExperimentProtocol.Progressed progress);
}
