using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

[Manifest("nas.result.retrain-epoch-trained.v2")]
public sealed record RetrainEpochTrained(string Key, RolloutId Id, int Epoch, int Slot, SliceResult Result, int Round = 0) : WorkResult(Key);
