using System.Collections.Immutable;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;

namespace NasActors.Core.Strategies.Enas;

/// <summary>
/// The ENAS controller's whole state, immutable: the policy checkpoint and the figures it was trained to, the
/// sampling RNG, and the batch awaiting rewards. Tensors live in the policy checkpoint; this is what the journal's events
/// rebuild. Transitions are in <see cref="Reinforce"/>.
/// </summary>
/// <param name="Policy">Current policy checkpoint; null before it is initialised.</param>
/// <param name="Step">Policy updates done.</param>
/// <param name="Baseline">Moving-average reward baseline; null before the first update.</param>
/// <param name="Pending">The current batch: a training batch for update <see cref="Step"/>, or the derive batch.</param>
/// <param name="Rewards">Rewards of <see cref="Pending"/> received so far.</param>
/// <param name="Deriving">Pending is the final derive batch.</param>
public sealed record ReinforceState(
    string? Policy,
    long Step,
    double? Baseline,
    RngState Rng,
    int NextRolloutId,
    ImmutableArray<Rollout> Pending,
    ImmutableSortedDictionary<RolloutId, ScoredRollout> Rewards,
    bool Deriving,
    ReinforceStats? Last)
{
    public static ReinforceState Initial(long seed) => new(null, 0, null, Xoshiro256.StateFromSeed(Xoshiro256.Derive(seed, 0x454e4153)), 0, [],
        ImmutableSortedDictionary<RolloutId, ScoredRollout>.Empty, false, null);

    public IEnumerable<Rollout> Unrewarded => Pending.Where(r => !Rewards.ContainsKey(r.Id));

    public bool BatchComplete => !Pending.IsEmpty && Pending.All(r => Rewards.ContainsKey(r.Id));

    /// <summary>The derive batch is fully scored: the search is over.</summary>
    public bool Finished => Deriving && BatchComplete;

    /// <summary>Every scored derive rollout (the search result): the derive batch is the last, so its rewards are these.</summary>
    public ImmutableArray<ScoredRollout> Derived => Deriving ? [.. Rewards.Values] : [];

    public ImmutableArray<ScoredRollout> Ranked => [.. Derived.Order(ScoredRollout.BestFirst)];
}
