using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.OneShot;

/// <summary>The best architecture, retrained from scratch for <paramref name="Steps"/> steps, measured on the test split.</summary>
[Manifest("nas.event.retrain-completed.v2")]
public sealed record RetrainCompleted(RolloutId Id, long Steps, Metrics Metrics) : PlanEvent;
