using System.Collections.Immutable;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;

namespace NasActors.Core.Strategies;

/// <summary>
/// The whole state of a population-style search (random or evolution), immutable. Everything a resumed
/// search needs is here, the RNG state included; replaying the journal's events rebuilds it.
/// </summary>
/// <param name="Generation">Generation of <see cref="Pending"/>; -1 before the first proposal.</param>
/// <param name="Pending">Rollouts of the current generation (scored or not).</param>
/// <param name="Scores">Every scored rollout so far, by id.</param>
/// <param name="Parents">Top-k of all scored rollouts, best first: the evolution's parents.</param>
/// <param name="Visited">Canonical keys of every rollout ever proposed, so none is proposed (and scored) twice.</param>
public sealed record SearchState(
    int Generation,
    RngState Rng,
    int NextRolloutId,
    ImmutableArray<Rollout> Pending,
    ImmutableSortedDictionary<RolloutId, ScoredRollout> Scores,
    ImmutableArray<ScoredRollout> Parents,
    ImmutableHashSet<string> Visited,
    bool Finished)
{
    public static SearchState Initial(long seed) => new(-1, Xoshiro256.StateFromSeed(seed), 0, [],
        ImmutableSortedDictionary<RolloutId, ScoredRollout>.Empty, [], ImmutableHashSet.Create<string>(StringComparer.Ordinal), false);

    /// <summary>Pending rollouts that have no score yet: the work to hand out.</summary>
    public IEnumerable<Rollout> Unscored => Pending.Where(r => !Scores.ContainsKey(r.Id));

    public bool GenerationComplete => Pending.All(r => Scores.ContainsKey(r.Id));

    /// <summary>All scored rollouts, best first.</summary>
    public ImmutableArray<ScoredRollout> Ranked => [.. Scores.Values.Order(ScoredRollout.BestFirst)];
}
