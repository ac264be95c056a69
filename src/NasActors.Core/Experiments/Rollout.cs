using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Experiments;

/// <summary>An architecture to evaluate, with its id and where it came from ("gen 3 mutation of r12").</summary>
public sealed record Rollout(RolloutId Id, Architecture Architecture, int Generation, string Origin);
