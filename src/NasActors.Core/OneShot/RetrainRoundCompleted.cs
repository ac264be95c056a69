using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

/// <summary>
/// Round <paramref name="Round"/> of retraining epoch <paramref name="Epoch"/> is done, and it is not the epoch's last
/// (that one is <see cref="RetrainEpochCompleted"/>); its (merged) weights, momentum and step are <paramref name="Checkpoint"/>.
/// </summary>
[Manifest("nas.event.retrain-round-completed.v2")]
public sealed record RetrainRoundCompleted(RolloutId Id, int Epoch, int Round, string Checkpoint) : PlanEvent;
