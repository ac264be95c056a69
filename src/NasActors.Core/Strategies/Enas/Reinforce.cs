using System.Collections.Immutable;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Training;

namespace NasActors.Core.Strategies.Enas;

/// <summary>
/// The ENAS controller as pure transitions on <see cref="ReinforceState"/>. The policy maths (sampling, log-probs,
/// Adam) is the backend's; what is decided here is what to sample next, which rewards count, and the REINFORCE
/// advantages with the moving-average baseline. <see cref="EnasPlan"/> journals each transition's event and applies it
/// with these same functions during recovery.
/// </summary>
public static class Reinforce
{
    public static ReinforceState Initialized(ReinforceState s, string policy) => s with { Policy = policy };

    /// <summary>Rollouts for a batch drawn from the policy (ids assigned here, in sampling order).</summary>
    public static ImmutableArray<Rollout> ToRollouts(ReinforceState s, ImmutableArray<Architecture> archs, bool derive) =>
        [.. archs.Select((a, i) => new Rollout(new RolloutId(s.NextRolloutId + i), a, (int)Math.Min(int.MaxValue, s.Step),
            derive ? $"derive from policy step {s.Step}" : $"policy step {s.Step}"))];

    public static ReinforceState Sampled(ReinforceState s, ImmutableArray<Rollout> rollouts, RngState rngAfter, bool derive)
    {
        // An open batch must be rewarded (and learned from) first: sampling over it would be a caller bug.
        if (!s.Pending.IsEmpty) throw new InvalidOperationException("a batch is still open");
        return s with
        {
            Pending = rollouts,
            Rewards = ImmutableSortedDictionary<RolloutId, ScoredRollout>.Empty,
            Rng = rngAfter,
            NextRolloutId = s.NextRolloutId + rollouts.Length,
            Deriving = derive,
        };
    }

    /// <summary>Records a reward; unknown or already rewarded ids leave the state unchanged (late or duplicate results).</summary>
    public static ReinforceState Rewarded(ReinforceState s, RolloutId id, Metrics metrics)
    {
        var r = s.Pending.FirstOrDefault(p => p.Id == id);
        if (r is null || s.Rewards.ContainsKey(id)) return s;
        return s with { Rewards = s.Rewards.Add(id, new ScoredRollout(r, metrics)) };
    }

    public static bool IsKnown(ReinforceState s, RolloutId id) => s.Pending.Any(p => p.Id == id) && !s.Rewards.ContainsKey(id);

    /// <summary>
    /// REINFORCE with ENAS's moving-average baseline, moved by every sample as the reference code moves it (one
    /// architecture per controller run, its reward folded in before its advantage is taken): in sampling order,
    /// b_i = decay * b_(i-1) + (1 - decay) * reward_i and advantage_i = reward_i - b_i. Before the first update the
    /// baseline starts at the first batch's mean reward rather than ENAS's 0, so early advantages are centred.
    /// Moving it once per batch instead made its memory samples-per-update times longer: at a small budget it lagged
    /// the rising rewards for the whole search and every advantage was positive (bench/run.sh enas-quality).
    /// Reward = validation minibatch accuracy.
    /// </summary>
    public static (ImmutableArray<Architecture> Samples, ImmutableArray<double> Advantages, double BaselineAfter, double MeanReward) Advantages(
        ReinforceState s, double decay)
    {
        if (!s.BatchComplete || s.Deriving) throw new InvalidOperationException("no complete training batch to learn from");
        var batch = s.Pending.Select(p => s.Rewards[p.Id]).ToList();
        var mean = batch.Average(b => b.Metrics.Accuracy);
        var baseline = s.Baseline ?? mean;
        var adv = ImmutableArray.CreateBuilder<double>(batch.Count);
        foreach (var b in batch)
        {
            baseline = decay * baseline + (1 - decay) * b.Metrics.Accuracy;
            adv.Add(b.Metrics.Accuracy - baseline);
        }
        return ([.. batch.Select(b => b.Rollout.Architecture)], adv.MoveToImmutable(), baseline, mean);
    }

    public static ReinforceState Updated(ReinforceState s, long step, string policy, double baseline, ReinforceStats stats) => s with
    {
        Policy = policy,
        Step = step,
        Baseline = baseline,
        Pending = [],
        Rewards = ImmutableSortedDictionary<RolloutId, ScoredRollout>.Empty,
        Last = stats,
    };
}
