using NasActors.Core.Experiments;

namespace NasActors.Core.Strategies;

/// <summary>
/// A search strategy as a pure state machine: no I/O, no clocks, all randomness from the state's RNG.
/// <see cref="Population.PopulationPlan"/> journals what <see cref="Propose"/> returns and the scores it observes, and
/// rebuilds the state on recovery by applying the same events.
/// </summary>
public interface ISearchStrategy
{
    string Name { get; }

    /// <summary>Generations the search runs (an upper bound; an exhausted space ends it sooner).</summary>
    int Generations { get; }

    SearchState Initial();

    /// <summary>The next generation, or null when the current one still awaits scores or the search is finished.</summary>
    Proposal? Propose(SearchState state);

    SearchState Apply(SearchState state, Proposal proposal);

    /// <summary>Records a score. Unknown or already-scored rollout ids leave the state unchanged (late or duplicate results).</summary>
    SearchState Observe(SearchState state, RolloutId id, Metrics metrics);
}
