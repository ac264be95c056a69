using System.Collections.Immutable;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Training;

/// <summary>
/// An ENAS controller policy over a <see cref="SearchSpace"/>: samples architectures decision by decision and learns
/// from rewards with REINFORCE. Thread-confined like <see cref="ITrainerBackend"/>. Policies live in content-addressed
/// checkpoints (weights, Adam state and <see cref="PolicyMeta"/>); every method is a deterministic function of its
/// arguments for a fixed intra-op thread count.
/// </summary>
public interface IPolicyBackend : IDisposable
{
    /// <summary>A fresh policy: weights from the seed, zero Adam state, <paramref name="meta"/>. Returns its checkpoint hash.</summary>
    string Initialize(PolicyMeta meta);

    /// <summary>Samples <paramref name="count"/> architectures; every draw comes from <paramref name="rng"/>, which advances.</summary>
    ImmutableArray<Architecture> Sample(string policy, int count, Xoshiro256 rng);

    /// <summary>
    /// One REINFORCE step on a batch: loss = -mean_i(advantage_i * log p(arch_i)) - entropyWeight * mean_i H_i, then
    /// gradient clipping and Adam. Writes the new policy with <paramref name="meta"/> and returns it.
    /// </summary>
    PolicyUpdate Update(string policy, ImmutableArray<Architecture> samples, ImmutableArray<double> advantages, PolicyMeta meta);

    /// <summary>The meta stored in a policy checkpoint (hash verified).</summary>
    PolicyMeta ReadMeta(string policy);

    /// <summary>Probability of each candidate of <paramref name="choiceKey"/> at that decision, given the earlier decisions of <paramref name="prefix"/>.</summary>
    ImmutableArray<double> Probabilities(string policy, Architecture prefix, string choiceKey);
}
