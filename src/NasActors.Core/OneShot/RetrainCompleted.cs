using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

/// <summary>
/// An architecture retrained from scratch for <paramref name="Epochs"/> epochs, measured on the test split; its weights
/// alone are checkpoint <paramref name="Weights"/>.
/// </summary>
[Manifest("nas.event.retrain-completed.v3")]
public sealed record RetrainCompleted(RolloutId Id, int Epochs, Metrics Metrics, string Weights) : PlanEvent;
