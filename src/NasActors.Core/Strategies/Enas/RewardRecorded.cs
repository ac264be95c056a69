using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.Strategies.Enas;

[Manifest("nas.event.reward-recorded.v2")]
public sealed record RewardRecorded(RolloutId Id, Metrics Metrics) : PlanEvent;
