using NasActors.Core.Experiments;

namespace NasActors.Core.Engine;

/// <summary>
/// An architecture trained from scratch for <paramref name="Epochs"/> epochs, measured on the test split; its weights
/// are checkpoint <paramref name="Weights"/> of the experiment's store.
/// </summary>
public sealed record RetrainResult(RolloutId Id, int Epochs, Metrics Metrics, string Weights);
