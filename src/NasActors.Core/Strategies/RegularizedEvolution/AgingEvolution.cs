using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Strategies.RegularizedEvolution;

/// <summary>
/// Regularized (aging) evolution: Real et al. 2019, "Regularized Evolution for Image Classifier Architecture Search",
/// Algorithm 1, as NNI's <c>RegularizedEvolution</c> strategy, in batches so that several trainers score children at
/// once. Generation 0 holds <c>population-size</c> uniform samples. Each later generation holds <c>batch</c> children,
/// each made from the current population, which is the most recent <c>population-size</c> scored candidates by rollout
/// id (ids follow proposal order, so the oldest has the smallest id and is the first to age out, however good it is):
/// draw <c>sample-size</c> distinct members uniformly (without replacement, as NNI does; the tutorial code accompanying
/// Real et al. draws with replacement, a difference that only matters when sample-size is close to population-size), take
/// the best (<see cref="ScoredRollout.BestFirst"/>) as the parent, and mutate it: each choice is resampled with
/// <c>mutation-probability</c>, and when that changes nothing one uniformly chosen choice is set to a different value, so
/// the child always differs from its parent (Algorithm 1's mutation changes one thing). A child that was seen before or
/// breaks the FLOPs/params limits is redrawn (tournament and mutation) up to <see cref="MaxTries"/> times, then a uniform
/// admissible sample takes its place. Population and parents derive from <see cref="SearchState.Scores"/> alone, and
/// every draw comes from the state's RNG, so a resumed search proposes the same children.
/// </summary>
public sealed class AgingEvolution(SearchSpace space, Constraints constraints, RegularizedEvolutionSettings settings, long seed)
    : PopulationStrategy(space, constraints, seed, Validated(settings).Generations, settings.TopK)
{
    /// <summary>Tournament-and-mutation draws per child before it falls back to a uniform sample.</summary>
    public const int MaxTries = 100;

    public RegularizedEvolutionSettings Settings { get; } = settings;

    public override string Name => "regularized-evolution";

    private static RegularizedEvolutionSettings Validated(RegularizedEvolutionSettings s)
    {
        s.Validate();
        return s;
    }

    /// <summary>The population <paramref name="state"/> selects parents from: its most recent population-size scored candidates, oldest first.</summary>
    public IReadOnlyList<ScoredRollout> Population(SearchState state)
    {
        // Scores are sorted by rollout id, and ids follow proposal order.
        return [.. state.Scores.Values.Skip(Math.Max(0, state.Scores.Count - Settings.PopulationSize))];
    }

    protected override void Fill(SearchState state, Batch batch, Xoshiro256 rng)
    {
        if (batch.Generation == 0)
        {
            FillRandom(batch, rng, Settings.PopulationSize);
            return;
        }
        var population = Population(state);
        var children = Settings.Children(batch.Generation);
        if (population.Count == 0)
        {
            FillRandom(batch, rng, children);
            return;
        }
        while (batch.Count < children)
        {
            var added = false;
            for (var i = 0; i < MaxTries && !added; i++)
            {
                var parent = Tournament(population, rng);
                added = batch.TryAdd(Mutate(parent.Rollout.Architecture, rng), $"gen {batch.Generation} mutation of {parent.Rollout.Id}");
            }
            if (added) continue;
            // Every draw was seen before or over the limits (a converged population in a small space): a new uniform one.
            var a = SampleAdmissible(batch, rng, maxTries: 20_000);
            if (a is null) return; // space exhausted under the limits
            batch.TryAdd(a, $"gen {batch.Generation} random (no new mutation)");
        }
    }

    private void FillRandom(Batch batch, Xoshiro256 rng, int count)
    {
        while (batch.Count < count)
        {
            var a = SampleAdmissible(batch, rng, maxTries: 20_000);
            if (a is null) return; // space exhausted under the limits
            batch.TryAdd(a, $"gen {batch.Generation} random");
        }
    }

    /// <summary>The best of sample-size members drawn without replacement (partial Fisher-Yates over the population).</summary>
    private ScoredRollout Tournament(IReadOnlyList<ScoredRollout> population, Xoshiro256 rng)
    {
        var n = population.Count;
        var k = Math.Min(Settings.SampleSize, n);
        var idx = new int[n];
        for (var i = 0; i < n; i++) idx[i] = i;
        ScoredRollout? best = null;
        for (var i = 0; i < k; i++)
        {
            var j = i + rng.NextInt(n - i);
            (idx[i], idx[j]) = (idx[j], idx[i]);
            var candidate = population[idx[i]];
            if (best is null || ScoredRollout.BestFirst.Compare(candidate, best) < 0) best = candidate;
        }
        return best!;
    }

    /// <summary>Each choice resampled with the mutation probability; if none changed, one choice set to a different value.</summary>
    private Architecture Mutate(Architecture parent, Xoshiro256 rng)
    {
        var child = parent;
        foreach (var c in Space.Choices)
            if (rng.NextDouble() < Settings.MutationProbability)
                child = child.With(c.Key, SearchSpace.SampleValue(c, rng));
        if (child.CanonicalKey != parent.CanonicalKey) return child;
        var mutable = Space.Choices.Where(c => c.Cardinality > 1).ToList();
        if (mutable.Count == 0) return parent; // a one-architecture space: nothing to change
        var choice = mutable[rng.NextInt(mutable.Count)];
        // Cardinality ≥ 2: each draw differs with probability ≥ 1/2, so this ends at once in practice.
        for (var i = 0; i < 64; i++)
        {
            var v = SearchSpace.SampleValue(choice, rng);
            if (v != parent[choice.Key]) return parent.With(choice.Key, v);
        }
        return parent;
    }
}
