using NasActors.Core.Training;

namespace NasActors.Core.Engine;

/// <summary>What a work item may use while it runs on a trainer's thread: the device's backend, progress, cancellation.</summary>
public sealed class WorkContext(ITrainerBackend backend, Action<TrainProgress> progress, CancellationToken cancellation)
{
    public ITrainerBackend Backend { get; } = backend;
    public Action<TrainProgress> Progress { get; } = progress;
    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>The backend's capability <typeparamref name="T"/>; a clear error when this backend has none.</summary>
    public T Need<T>() where T : class =>
        Backend.Capability<T>() ?? throw new NasUserException(
            $"the trainer on {Backend.Device} cannot do this work: its backend has no {typeof(T).Name} (the space or the trainer backend does not support this strategy)");
}
