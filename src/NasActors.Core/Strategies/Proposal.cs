using System.Collections.Immutable;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;

namespace NasActors.Core.Strategies;

/// <summary>
/// A generation of new rollouts and the RNG state after drawing them. Persisted as an event and applied with
/// <see cref="ISearchStrategy.Apply"/>, live and during recovery alike. An empty proposal ends the search
/// (the space is exhausted under the limits).
/// </summary>
public sealed record Proposal(int Generation, ImmutableArray<Rollout> Rollouts, RngState RngAfter);
