using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

/// <summary>
/// An architecture retrained from scratch for <paramref name="Epochs"/> epochs, measured on the test split; its weights
/// alone are checkpoint <paramref name="Weights"/>.
/// </summary>
[Manifest("nas.event.retrain-result.v2")]
public sealed record RetrainCompleted(RolloutId Id, int Epochs, Metrics Metrics, string Weights) : PlanEvent;
