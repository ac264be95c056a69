using System.Collections.Immutable;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;

namespace NasActors.Core.Strategies;

/// <summary>
/// Shared mechanics of generation-based strategies: applying proposals, observing scores, keeping the top-k
/// parents and the visited set, and constrained uniform sampling. Subclasses decide what a generation holds.
/// </summary>
public abstract class PopulationStrategy(SearchSpace space, Constraints constraints, long seed, int generations, int parentCount) : ISearchStrategy
{
    public SearchSpace Space { get; } = space;
    public Constraints Constraints { get; } = constraints;
    public int Generations { get; } = generations >= 1 ? generations
        : throw new NasUserException($"generations = {generations} must be at least 1");
    public abstract string Name { get; }

    public SearchState Initial() => SearchState.Initial(seed);

    public Proposal? Propose(SearchState state)
    {
        if (state.Finished || !state.GenerationComplete) return null;
        var rng = new Xoshiro256(state.Rng);
        var gen = state.Generation + 1;
        var batch = new Batch(state, gen, this);
        Fill(state, batch, rng);
        return new Proposal(gen, batch.Rollouts.ToImmutableArray(), rng.State);
    }

    /// <summary>Adds the generation's candidates to <paramref name="batch"/>, drawing only from <paramref name="rng"/>.</summary>
    protected abstract void Fill(SearchState state, Batch batch, Xoshiro256 rng);

    public SearchState Apply(SearchState state, Proposal p)
    {
        var visited = state.Visited.Union(p.Rollouts.Select(r => r.Architecture.CanonicalKey));
        var next = state with
        {
            Generation = p.Generation,
            Rng = p.RngAfter,
            NextRolloutId = p.Rollouts.IsEmpty ? state.NextRolloutId : p.Rollouts.Max(r => r.Id.Value) + 1,
            Pending = p.Rollouts,
            Visited = visited,
            // An empty generation means the space is exhausted under the limits: nothing more to do.
            Finished = p.Rollouts.IsEmpty,
        };
        return next;
    }

    public SearchState Observe(SearchState state, RolloutId id, Metrics metrics)
    {
        if (state.Scores.ContainsKey(id)) return state;
        var rollout = state.Pending.FirstOrDefault(r => r.Id == id);
        if (rollout is null) return state;
        var scored = new ScoredRollout(rollout, metrics);
        var next = state with { Scores = state.Scores.Add(id, scored) };
        if (!next.GenerationComplete) return next;
        // Generation done: parents are the top-k of everything scored so far (SPOS keeps a global top-k memory).
        var parents = next.Parents.Concat(next.Pending.Select(r => next.Scores[r.Id]))
            .Order(ScoredRollout.BestFirst).Take(parentCount).ToImmutableArray();
        return next with { Parents = parents, Finished = next.Generation + 1 >= Generations };
    }

    /// <summary>Uniform sample that meets the limits and is new; null after <paramref name="maxTries"/> misses.</summary>
    protected Architecture? SampleAdmissible(Batch batch, Xoshiro256 rng, int maxTries)
    {
        const int quickTries = 1000;
        for (var i = 0; i < Math.Min(quickTries, maxTries); i++)
        {
            var a = Space.Sample(rng);
            if (batch.IsNew(a) && Constraints.Admits(a)) return a;
        }
        // Many misses. In a small space pick uniformly among what is left: exact, and it ends the search cleanly
        // when nothing is left. In a large one keep sampling.
        if (Space.Size <= SmallSpace)
        {
            var left = Space.Enumerate().Where(a => batch.IsNew(a) && Constraints.Admits(a)).ToList();
            return left.Count == 0 ? null : left[rng.NextInt(left.Count)];
        }
        for (var i = quickTries; i < maxTries; i++)
        {
            var a = Space.Sample(rng);
            if (batch.IsNew(a) && Constraints.Admits(a)) return a;
        }
        return null;
    }

    private const double SmallSpace = 50_000;

    /// <summary>The generation being built: assigns ids and rejects architectures seen before.</summary>
    protected sealed class Batch(SearchState state, int generation, PopulationStrategy owner)
    {
        private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
        private int _nextId = state.NextRolloutId;
        public List<Rollout> Rollouts { get; } = [];
        public int Generation => generation;
        public int Count => Rollouts.Count;

        public bool IsNew(Architecture a) => !state.Visited.Contains(a.CanonicalKey) && !_keys.Contains(a.CanonicalKey);

        /// <summary>Adds <paramref name="a"/> if it is new and within limits; returns whether it was added.</summary>
        public bool TryAdd(Architecture a, string origin)
        {
            if (!IsNew(a) || !owner.Constraints.Admits(a)) return false;
            _keys.Add(a.CanonicalKey);
            Rollouts.Add(new Rollout(new RolloutId(_nextId++), a, generation, origin));
            return true;
        }
    }
}
