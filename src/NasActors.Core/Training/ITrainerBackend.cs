namespace NasActors.Core.Training;

/// <summary>
/// One device's backend. Work items ask it for the capabilities they need (<see cref="ISupernetTrainer"/>,
/// <see cref="IArchitectureEvaluator"/>, <see cref="IRetrainer"/>, <see cref="IPolicyBackend"/>, or a strategy's own),
/// so a new kind of work needs no new method here. Implementations are thread-confined: every call comes from the
/// trainer's one dedicated thread (TorchSharp's dispose scopes are per thread). All results are deterministic
/// functions of the arguments, for a fixed intra-op thread count.
/// </summary>
public interface ITrainerBackend : IDisposable
{
    string Device { get; }

    /// <summary>The capability <typeparamref name="T"/>, or null when this backend has none.</summary>
    T? Capability<T>() where T : class => this as T;
}
