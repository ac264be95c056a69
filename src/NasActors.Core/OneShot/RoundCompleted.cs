using NasActors.Core.Engine;

namespace NasActors.Core.OneShot;

/// <summary>Round <paramref name="Round"/> of supernet training is done; its (merged) weights are <paramref name="Checkpoint"/>.</summary>
[Manifest("nas.event.round-completed.v2")]
public sealed record RoundCompleted(int Round, string Checkpoint) : PlanEvent;
