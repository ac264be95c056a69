using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

/// <summary>Retraining epoch <paramref name="Epoch"/> is done; its (merged) weights, momentum and step are <paramref name="Checkpoint"/>.</summary>
[Manifest("nas.event.retrain-epoch-completed.v2")]
public sealed record RetrainEpochCompleted(RolloutId Id, int Epoch, string Checkpoint) : PlanEvent;
