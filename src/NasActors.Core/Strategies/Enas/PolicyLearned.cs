using NasActors.Core.Engine;
using NasActors.Core.Training;

namespace NasActors.Core.Strategies.Enas;

[Manifest("nas.result.policy-learned.v2")]
public sealed record PolicyLearned(string Key, long Step, PolicyUpdate Update, double Baseline, double MeanReward) : WorkResult(Key);
