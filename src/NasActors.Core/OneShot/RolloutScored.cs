using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Training;

namespace NasActors.Core.OneShot;

[Manifest("nas.result.rollout-scored.v2")]
public sealed record RolloutScored(string Key, RolloutId Id, EvalSplit Split, Metrics Metrics) : WorkResult(Key);
