using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

[Manifest("nas.result.retrain-tested.v2")]
public sealed record RetrainTested(string Key, RolloutId Id, TrainedModel Model) : WorkResult(Key);
