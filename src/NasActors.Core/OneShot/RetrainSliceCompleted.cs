using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

/// <summary>Slot <paramref name="Slot"/> finished its share of round <paramref name="Round"/> of retraining epoch <paramref name="Epoch"/>: its weights, momentum and step are <paramref name="Checkpoint"/>.</summary>
[Manifest("nas.event.retrain-slice-completed.v2")]
public sealed record RetrainSliceCompleted(RolloutId Id, int Epoch, int Slot, string Checkpoint, double Loss, double Accuracy, int Images, double Seconds, int Round = 0) : PlanEvent;
