using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

[Manifest("nas.result.retrain-slots-merged.v2")]
public sealed record RetrainSlotsMerged(string Key, RolloutId Id, int Epoch, string Checkpoint, int Round = 0) : WorkResult(Key);
