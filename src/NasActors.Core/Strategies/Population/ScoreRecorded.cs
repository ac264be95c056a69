using NasActors.Core.Engine;
using NasActors.Core.Experiments;

namespace NasActors.Core.Strategies.Population;

/// <summary>A candidate's validation score, recorded once however often it is reported.</summary>
[Manifest("nas.event.score-recorded.v2")]
public sealed record ScoreRecorded(RolloutId Id, Metrics Metrics) : PlanEvent;
