using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

[Manifest("nas.result.rollout-retrained.v2")]
public sealed record RolloutRetrained(string Key, RolloutId Id, Metrics Metrics) : WorkResult(Key);
