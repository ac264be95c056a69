using CsCheck;
using NasActors.Core.Experiments;
using NasActors.Core.Randomness;
using NasActors.Core.Strategies;
using NasActors.Core.Tests.Support;

namespace NasActors.Core.Tests.Strategies;

/// <summary>
/// Properties every population strategy (random search, SPOS evolution, regularized evolution) must have, checked over random spaces,
/// random valid settings and random FLOPs/params limits, with a fake evaluator standing in for training.
/// </summary>
public class PopulationStrategyPropertyTests
{
    private const int Iter = 70;

    private static void Check(Gens.Kind kind, Action<Gens.Scenario, SearchRun> property, int iter = Iter) =>
        Gens.Scenarios(kind).Sample(sc =>
        {
            var run = SearchDriver.Run(sc.Strategy(), SearchDriver.HashScore);
            property(sc, run);
        }, iter: iter, print: sc => sc.ToString());

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_propose_only_architectures_valid_in_the_space(Gens.Kind kind) =>
        Check(kind, (sc, run) =>
        {
            foreach (var r in run.AllRollouts) sc.Space.Validate(r.Architecture);
        });

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_respect_the_flops_and_params_limits(Gens.Kind kind) =>
        Check(kind, (sc, run) =>
        {
            var c = sc.Constraints;
            if (c.Costs is null) return;
            foreach (var r in run.AllRollouts)
            {
                var cost = c.Costs.Cost(r.Architecture);
                if (c.MaxFlops is { } f) Assert.True(cost.Flops <= f, $"{r.Id} has {cost.Flops} FLOPs > {f}");
                if (c.MaxParams is { } p) Assert.True(cost.Params <= p, $"{r.Id} has {cost.Params} params > {p}");
            }
        });

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_never_propose_an_architecture_twice(Gens.Kind kind) =>
        Check(kind, (sc, run) =>
        {
            var keys = run.AllRollouts.Select(r => r.Architecture.CanonicalKey).ToList();
            var dup = keys.GroupBy(k => k).FirstOrDefault(g => g.Count() > 1);
            Assert.True(dup is null, $"proposed twice: {dup?.Key}");
            Assert.True(run.Final.Visited.SetEquals(keys), "Visited must hold exactly the proposed architectures");
        });

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_assign_consecutive_unique_rollout_ids_and_tag_generations(Gens.Kind kind) =>
        Check(kind, (sc, run) =>
        {
            var all = run.AllRollouts.ToList();
            Assert.Equal(Enumerable.Range(0, all.Count), all.Select(r => r.Id.Value));
            foreach (var p in run.Proposals)
                Assert.All(p.Rollouts, r =>
                {
                    Assert.Equal(p.Generation, r.Generation);
                    Assert.StartsWith($"gen {p.Generation} ", r.Origin);
                });
            Assert.Equal(all.Count, run.Final.Scores.Count);
        });

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_finish_after_the_configured_generations_within_the_population_size(Gens.Kind kind) =>
        Check(kind, (sc, run) =>
        {
            Assert.True(run.Final.Finished);
            Assert.Equal(Enumerable.Range(0, run.Proposals.Count), run.Proposals.Select(p => p.Generation));
            Assert.All(run.Proposals, p => Assert.InRange(p.Rollouts.Length, 0, sc.GenerationSize(p.Generation)));
            // Only the last proposal may be empty (space exhausted under the limits), and it ends the search.
            Assert.All(run.Proposals.SkipLast(1), p => Assert.NotEmpty(p.Rollouts));
            var nonEmpty = run.Proposals.Count(p => !p.Rollouts.IsEmpty);
            Assert.InRange(nonEmpty, 0, sc.Generations);
            if (run.Proposals[^1].Rollouts.IsEmpty) Assert.True(run.Final.Pending.IsEmpty);
            else Assert.Equal(sc.Generations, run.Proposals.Count);
            // Large unconstrained spaces never run dry: every generation is full.
            if (sc.Constraints.Costs is null && sc.Space.Size >= 10.0 * sc.Candidates)
            {
                Assert.Equal(sc.Generations, run.Proposals.Count);
                Assert.All(run.Proposals, p => Assert.Equal(sc.GenerationSize(p.Generation), p.Rollouts.Length));
            }
            Assert.Null(sc.Strategy().Propose(run.Final));
        });

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_propose_the_same_sequence_for_the_same_seed(Gens.Kind kind) =>
        Check(kind, (sc, run) =>
        {
            var again = SearchDriver.Run(sc.Strategy(), SearchDriver.HashScore);
            SearchAssert.SameProposals(run.Proposals, again.Proposals);
            SearchAssert.SameState(run.Final, again.Final);
        }, iter: 60);

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_draw_a_different_stream_for_a_different_seed(Gens.Kind kind) =>
        Check(kind, (sc, run) =>
        {
            var other = SearchDriver.Run(sc.Strategy(sc.Seed + 1), SearchDriver.HashScore);
            // xoshiro's state transition is a bijection: different seeds keep different states.
            Assert.NotEqual(run.Proposals[0].RngAfter, other.Proposals[0].RngAfter);
        }, iter: 60);

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_rebuild_every_intermediate_state_by_replaying_its_events(Gens.Kind kind) =>
        Check(kind, (sc, run) =>
        {
            var strategy = sc.Strategy();
            var state = strategy.Initial();
            SearchAssert.SameState(run.Initial, state);
            for (var i = 0; i < run.Events.Count; i++)
            {
                state = run.Events[i] switch
                {
                    Proposed p => strategy.Apply(state, p.Proposal),
                    Observed o => strategy.Observe(state, o.Id, o.Metrics),
                    _ => throw new InvalidOperationException(),
                };
                SearchAssert.SameState(run.States[i], state);
            }
        });

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_resume_after_a_crash_at_any_event_with_the_same_proposals(Gens.Kind kind) =>
        Gen.Select(Gens.Scenarios(kind), Gen.Double[0, 1], (sc, cutAt) => (sc, cutAt)).Sample((sc, cutAt) =>
        {
            var live = SearchDriver.Run(sc.Strategy(), SearchDriver.HashScore, orderSeed: 1);
            var cut = (int)Math.Round(cutAt * live.Events.Count);
            // A fresh process: new strategy object, state rebuilt from the journal prefix only.
            var strategy = sc.Strategy();
            var recovered = SearchDriver.Replay(strategy, live.Events.Take(cut));
            SearchAssert.SameState(cut == 0 ? live.Initial : live.States[cut - 1], recovered);
            var resumed = SearchDriver.Run(strategy, SearchDriver.HashScore, from: recovered);
            var proposedBeforeCrash = live.Events.Take(cut).Count(e => e is Proposed);
            SearchAssert.SameProposals(live.Proposals.Skip(proposedBeforeCrash).ToList(), resumed.Proposals);
            SearchAssert.SameState(live.Final, resumed.Final);
        }, iter: Iter, print: t => $"cut {t.Item2:F3} of {t.Item1}");

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_repropose_identically_when_a_proposal_was_lost_before_being_persisted(Gens.Kind kind) =>
        Check(kind, (sc, run) =>
        {
            var strategy = sc.Strategy();
            for (var i = 0; i < run.Events.Count; i++)
            {
                if (run.Events[i] is not Proposed p) continue;
                var before = i == 0 ? run.Initial : run.States[i - 1];
                SearchAssert.SameProposal(p.Proposal, strategy.Propose(before)!);
            }
        }, iter: 60);

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_give_the_same_proposals_whatever_order_results_arrive_in(Gens.Kind kind) =>
        Gen.Select(Gens.Scenarios(kind), Gen.Long, Gen.Long, (sc, a, b) => (sc, a, b)).Sample((sc, a, b) =>
        {
            var first = SearchDriver.Run(sc.Strategy(), SearchDriver.HashScore, orderSeed: a);
            var second = SearchDriver.Run(sc.Strategy(), SearchDriver.HashScore, orderSeed: b);
            SearchAssert.SameProposals(first.Proposals, second.Proposals);
            SearchAssert.SameState(first.Final, second.Final);
        }, iter: 60, print: t => $"orders {t.Item2}/{t.Item3} {t.Item1}");

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_ignore_duplicate_late_and_unknown_results(Gens.Kind kind) =>
        Check(kind, (sc, run) =>
        {
            var noisy = SearchDriver.Run(sc.Strategy(), SearchDriver.HashScore, noise: true);
            Assert.True(noisy.Events.Count > run.Events.Count || run.Events.Count <= 1);
            SearchAssert.SameProposals(run.Proposals, noisy.Proposals);
            SearchAssert.SameState(run.Final, noisy.Final);
            // Every score is the first one reported, never a later junk one.
            Assert.All(noisy.Final.Scores.Values, s => Assert.Equal(SearchDriver.HashScore(s.Rollout), s.Metrics));
        }, iter: 60);

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_keep_the_global_top_k_best_first_as_parents(Gens.Kind kind) =>
        Check(kind, (sc, run) =>
        {
            foreach (var state in run.States.Where(s => s.GenerationComplete))
            {
                var expected = state.Scores.Values.OrderByDescending(s => s.Metrics.Accuracy).ThenBy(s => s.Metrics.Loss)
                    .ThenBy(s => s.Rollout.Id.Value).Take(sc.TopK).ToList();
                Assert.Equal(expected, state.Parents.AsEnumerable());
            }
        });

    [Theory]
    [InlineData(Gens.Kind.Random)]
    [InlineData(Gens.Kind.Spos)]
    [InlineData(Gens.Kind.Regularized)]
    public void PopulationStrategy_must_draw_each_generation_from_the_rng_state_it_carries(Gens.Kind kind) =>
        Check(kind, (sc, run) =>
        {
            var strategy = sc.Strategy();
            for (var i = 0; i < run.Events.Count; i++)
            {
                if (run.Events[i] is not Proposed p) continue;
                Assert.Equal(p.Proposal.RngAfter, run.States[i].Rng); // Apply persists the RNG state after the draws
                var before = i == 0 ? run.Initial : run.States[i - 1];
                // The proposal is a function of the carried RNG state: another state draws another stream.
                var reseeded = before with { Rng = Xoshiro256.StateFromSeed(unchecked((long)before.Rng.S0) ^ 0x5DEECE66DL) };
                Assert.NotEqual(p.Proposal.RngAfter, strategy.Propose(reseeded)!.RngAfter);
            }
        }, iter: 60);
}
