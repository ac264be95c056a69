using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Strategies.Spos;

/// <summary>
/// SPOS evolution (Guo et al., "Single Path One-Shot NAS with Uniform Sampling"), as in the official code's
/// <c>EvolutionSearcher</c>: generation 0 is random; each later generation holds mutations of the top-k parents
/// (each choice resampled with probability p), crossovers of two parents (each choice from either), and random
/// samples up to the population size. Every candidate meets the FLOPs/params limits and is new.
/// </summary>
public sealed class SposEvolution(SearchSpace space, Constraints constraints, SposEvolutionSettings settings)
    : PopulationStrategy(space, constraints, settings.Seed, settings.Generations, settings.TopK)
{
    public SposEvolutionSettings Settings { get; } = Validated(settings);

    private static SposEvolutionSettings Validated(SposEvolutionSettings s)
    {
        s.Validate();
        return s;
    }
    public override string Name => "spos-evolution";

    protected override void Fill(SearchState state, Batch batch, Xoshiro256 rng)
    {
        var parents = state.Parents;
        if (!parents.IsEmpty)
        {
            // The official code gives each operator count*10 attempts.
            var target = batch.Count + Settings.MutationCount;
            for (var i = 0; i < Settings.MutationCount * 10 && batch.Count < target; i++)
            {
                var p = parents[rng.NextInt(parents.Length)];
                var child = Mutate(p.Rollout.Architecture, rng);
                batch.TryAdd(child, $"gen {batch.Generation} mutation of {p.Rollout.Id}");
            }
            target = batch.Count + Settings.CrossoverCount;
            for (var i = 0; i < Settings.CrossoverCount * 10 && batch.Count < target; i++)
            {
                var a = parents[rng.NextInt(parents.Length)];
                var b = parents[rng.NextInt(parents.Length)];
                var child = Crossover(a.Rollout.Architecture, b.Rollout.Architecture, rng);
                batch.TryAdd(child, $"gen {batch.Generation} crossover of {a.Rollout.Id} x {b.Rollout.Id}");
            }
        }
        while (batch.Count < Settings.PopulationSize)
        {
            var a = SampleAdmissible(batch, rng, maxTries: 20_000);
            if (a is null) break; // space exhausted under the limits
            batch.TryAdd(a, $"gen {batch.Generation} random");
        }
    }

    private Architecture Mutate(Architecture parent, Xoshiro256 rng)
    {
        var child = parent;
        foreach (var c in Space.Choices)
            if (rng.NextDouble() < Settings.MutationProbability)
                child = child.With(c.Key, SearchSpace.SampleValue(c, rng));
        return child;
    }

    private Architecture Crossover(Architecture a, Architecture b, Xoshiro256 rng)
    {
        var child = a;
        foreach (var c in Space.Choices)
            if (rng.NextInt(2) == 1) child = child.With(c.Key, b[c.Key]);
        return child;
    }
}
