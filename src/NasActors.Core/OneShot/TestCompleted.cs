using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

[Manifest("nas.event.test-completed.v2")]
public sealed record TestCompleted(RolloutId Id, Metrics Metrics) : PlanEvent;
