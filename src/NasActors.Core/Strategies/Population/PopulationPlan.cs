using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.OneShot;
using NasActors.Core.Training;

namespace NasActors.Core.Strategies.Population;

/// <summary>
/// The plan of every population strategy on a weight-sharing space (random search, SPOS evolution, regularized
/// evolution): train the supernet with uniformly sampled paths, then let the strategy propose generations that are
/// scored with the trained weights, then test (and optionally retrain) the best. The strategy decides what a
/// generation holds; this plan decides when.
/// </summary>
public sealed class PopulationPlan(ISearchStrategy strategy, OneShotSettings settings, int expectedCandidates) : Plan<PopulationPlanState>, IDerivingPlan
{
    private readonly SupernetSchedule _supernet = new(settings);
    private readonly Finale _finale = new(settings.Retrain);

    public ISearchStrategy SearchStrategy => strategy;
    public override string Strategy => strategy.Name;
    public override PopulationPlanState Initial => new(SupernetState.Empty, strategy.Initial(), FinalState.Empty);

    private bool Training(PopulationPlanState s) => s.Supernet.RoundsDone < _supernet.Rounds;

    public override PlanStep Next(PopulationPlanState s)
    {
        if (_supernet.Next(s.Supernet, _supernet.Rounds) is { } train) return train;
        if (s.Final.Top is null)
        {
            var search = s.Search;
            if (search.Finished)
                return search.Scores.IsEmpty
                    ? new PlanStep.Fail("the search ended without scoring any architecture: no architecture within nas.search.max-flops / max-params was found; raise the limits", true)
                    : PlanStep.Record(new SearchCompleted(search.Parents));
            if (strategy.Propose(search) is { } p) return PlanStep.Record(new GenerationProposed(p.Generation, p.Rollouts, p.RngAfter));
            return PlanStep.Do(search.Unscored.Select(r => new ScoreRollout(r, s.Supernet.Checkpoint!, EvalSplit.Validation)));
        }
        return _finale.Next(s.Final, s.Supernet.Checkpoint)!;
    }

    public override ImmutableArray<PlanEvent> OnResult(PopulationPlanState s, WorkResult result)
    {
        if (_supernet.OnResult(s.Supernet, result, Training(s)) is { } e) return e;
        if (_finale.OnResult(s.Final, result) is { } f) return f;
        return result switch
        {
            RolloutScored r when r.Split == EvalSplit.Validation && s.Search.Pending.Any(p => p.Id == r.Id) && !s.Search.Scores.ContainsKey(r.Id) =>
                [new ScoreRecorded(r.Id, r.Metrics)],
            _ => [],
        };
    }

    public override PopulationPlanState Apply(PopulationPlanState s, PlanEvent e)
    {
        if (SupernetSchedule.Apply(s.Supernet, e) is { } sn) return s with { Supernet = sn };
        if (Finale.Apply(s.Final, e) is { } fn) return s with { Final = fn };
        return e switch
        {
            GenerationProposed g => s with { Search = strategy.Apply(s.Search, g.ToProposal()) },
            ScoreRecorded r => s with { Search = strategy.Observe(s.Search, r.Id, r.Metrics) },
            _ => throw new InvalidOperationException($"plan {Strategy} has no event {e.GetType().Name}"),
        };
    }

    public override ImmutableArray<string> Released(PopulationPlanState before, PlanEvent e) =>
        SupernetSchedule.Released(before.Supernet, e).AddRange(Finale.Released(before.Final, e));

    public override PlanStatus Status(PopulationPlanState s)
    {
        var phase = Training(s) ? "supernet" : _finale.Phase(s.Final) ?? "search";
        var figures = SupernetSchedule.Figures(s.Supernet).Concat(Finale.Figures(s.Final));
        if (s.Search.Scores.Count > 0) figures = figures.Append(KeyValuePair.Create("best_accuracy", s.Search.Ranked[0].Metrics.Accuracy));
        return new PlanStatus(Strategy, phase, phase == "finished", s.Search.Ranked, s.Search.Scores.Count, s.Supernet.Checkpoint,
            s.Final.Test, s.Final.Retrained,
            [.. SupernetSchedule.Counters(s.Supernet, _supernet.Rounds),
                new PlanCounter("generation", s.Search.Generation + 1, strategy.Generations),
                new PlanCounter("scored", s.Search.Scores.Count, expectedCandidates), .. _finale.Counters(s.Final)],
            figures.ToImmutableSortedDictionary(StringComparer.Ordinal));
    }

    /// <summary>`nas derive`: the best scored architectures so far, best first (the population the strategy breeds from).</summary>
    public ImmutableArray<SearchSpaces.Architecture> Derive(object state, int count, Randomness.Xoshiro256 rng, WorkContext context)
    {
        var search = ((PopulationPlanState)state).Search;
        if (search.Scores.IsEmpty)
            throw new NasUserException($"{Strategy} has scored no architecture yet (its supernet is still training): resume the experiment until it has, or score architectures of your own with `nas eval-arch`");
        return [.. search.Ranked.Select(r => r.Rollout.Architecture).Distinct().Take(count)];
    }
}
