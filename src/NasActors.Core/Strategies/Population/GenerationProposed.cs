using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;

namespace NasActors.Core.Strategies.Population;

/// <summary>A generation of new rollouts and the RNG state after drawing them (an empty one ends the search).</summary>
[Manifest("nas.event.generation-proposed.v2")]
public sealed record GenerationProposed(int Generation, ImmutableArray<Rollout> Rollouts, RngState RngAfter) : PlanEvent
{
    public Proposal ToProposal() => new(Generation, Rollouts, RngAfter);
}
