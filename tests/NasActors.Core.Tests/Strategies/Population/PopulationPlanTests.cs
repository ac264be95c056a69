using System.Collections.Immutable;
using CsCheck;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.Randomness;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies;
using NasActors.Core.Strategies.Population;
using NasActors.Core.Strategies.Random;
using NasActors.Core.Tests.Support;
using NasActors.Core.Training;

namespace NasActors.Core.Tests.Strategies.Population;

/// <summary>
/// The population plan (supernet training, the strategy's generations, the finale) driven like the scheduler drives it,
/// for every population strategy, with a fake backend: results reordered and repeated, journals replayed, crashes resumed.
/// </summary>
public class PopulationPlanTests
{
    public static TheoryData<string, int, long> Cases => new()
    {
        { Fixtures.Random, 1, 0 }, { Fixtures.Random, 2, 5 },
        { Fixtures.Spos, 1, 5 }, { Fixtures.Spos, 3, 0 },
        { Fixtures.Regularized, 1, 0 }, { Fixtures.Regularized, 2, 5 },
    };

    public static TheoryData<string> Strategies => new(Fixtures.PopulationStrategies);

    private static IEnumerable<Rollout> Proposed(PlanRun run) => run.EventsOf<GenerationProposed>().SelectMany(g => g.Rollouts);

    /// <summary>What every finished population run must show, whatever the strategy, space, limits and delivery order.</summary>
    private static void AssertSoundRun(PopulationPlan plan, PlanRun run, SearchSpace space, Constraints limits, OneShotSettings oneShot)
    {
        Assert.True(run.Finished, $"ended with {run.End}");
        var status = plan.Status((PopulationPlanState)run.Final);
        Assert.Equal("finished", status.Phase);
        Assert.True(status.Finished);

        var proposed = Proposed(run).ToList();
        Assert.NotEmpty(proposed);
        foreach (var r in proposed)
        {
            space.Validate(r.Architecture);
            Assert.True(limits.Admits(r.Architecture), $"{r.Id} {r.Architecture} breaks the limits");
        }
        var dup = proposed.GroupBy(r => r.Architecture.CanonicalKey).FirstOrDefault(g => g.Count() > 1);
        Assert.True(dup is null, $"proposed twice: {dup?.Key}");
        Assert.Equal(Enumerable.Range(0, proposed.Count), proposed.Select(r => r.Id.Value));

        // Every candidate scored exactly once, with the first (and only) result for it.
        var scores = run.EventsOf<ScoreRecorded>().ToList();
        Assert.Equal(proposed.Select(r => r.Id).Order(), scores.Select(s => s.Id).Order());
        Assert.All(scores, s => Assert.Equal(SearchDriver.HashScore(proposed[s.Id.Value].Architecture).Accuracy, s.Metrics.Accuracy));
        Assert.Equal(proposed.Count, status.Scored);

        // Supernet rounds, then the search, then the finale: each once.
        var rounds = run.EventsOf<RoundCompleted>().ToList();
        Assert.Equal(Enumerable.Range(0, oneShot.Rounds), rounds.Select(r => r.Round));
        Assert.Equal(oneShot.Rounds * oneShot.Slots, run.EventsOf<SliceCompleted>().Count());
        Assert.Equal(oneShot.Slots > 1 ? oneShot.Rounds : 0, run.Executed.OfType<MergeSlices>().Count());
        var lastRound = run.Events.FindLastIndex(e => e is RoundCompleted);
        Assert.True(run.Events.FindIndex(e => e is GenerationProposed) > lastRound, "a generation was proposed before the supernet was trained");
        Assert.All(run.Executed.OfType<ScoreRollout>(), s => Assert.Equal(rounds[^1].Checkpoint, s.Checkpoint));

        var completed = Assert.Single(run.EventsOf<SearchCompleted>());
        var ranked = scores.Select(s => new ScoredRollout(proposed[s.Id.Value], s.Metrics)).Order(ScoredRollout.BestFirst).ToList();
        Assert.Equal(ranked.Take(completed.Top.Length), completed.Top.AsEnumerable());
        Assert.Equal(ranked, status.Ranking.AsEnumerable());
        var test = Assert.Single(run.EventsOf<TestCompleted>());
        Assert.Equal(completed.Top[0].Rollout.Id, test.Id);
        Assert.Equal(oneShot.Retrain.Enabled ? 1 : 0, run.EventsOf<RetrainCompleted>().Count());
        Assert.Equal(rounds[^1].Checkpoint, status.Checkpoint);
        Assert.DoesNotContain(status.Checkpoint!, run.Released);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PopulationPlan_must_run_to_finish_proposing_valid_new_admissible_architectures_each_scored_once(string strategy, int slots, long retrain)
    {
        var c = new Fixtures.PopulationCase(strategy, Seed: 11, Slots: slots, RetrainSteps: retrain);
        var plan = c.Plan();
        var run = PlanDriver.Run(plan, c.Backend(), DriverOptions.Shuffled(5));
        AssertSoundRun(plan, run, c.Space, c.Engine.Constraints(c.Costs), c.Engine.OneShot);
        Assert.True(run.Redelivered > run.Executed.Count, "duplicates were not exercised");
        Assert.Equal(strategy, plan.Strategy);
        var status = plan.Status((PopulationPlanState)run.Final);
        Assert.Equal(plan.SearchStrategy.Generations, status.Counter("generation")!.Done);
        Assert.Equal(plan.SearchStrategy.Generations, status.Counter("generation")!.Total);
        Assert.Equal(status.Counter("scored")!.Total, status.Counter("scored")!.Done); // 4096 architectures, half admissible: never exhausted
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void PopulationPlan_must_hold_up_on_random_spaces_limits_seeds_and_delivery_orders(string strategy) =>
        Gen.Select(Gens.Space(1, 5), Gen.Long, Gen.Int[0, 3], Gen.Int[1, 3], Gen.Long).Sample((space, seed, which, slots, order) =>
        {
            var costs = Gens.RandomCostTable(space, seed);
            var limits = Gens.MedianLimits(space, costs, seed, which);
            var oneShot = Fixtures.OneShot(seed, slots, stepsPerSlot: 5, stepsPerRound: 2, retrainSteps: order % 2 == 0 ? 3 : 0);
            var engine = Fixtures.Engine(oneShot, limits.MaxFlops ?? 0, limits.MaxParams ?? 0);
            var plan = (PopulationPlan)Fixtures.Plan(strategy, space, costs, engine, Fixtures.Settings(strategy, seed));
            var run = PlanDriver.Run(plan, new FakeBackend(space, costs), DriverOptions.Shuffled(order));
            AssertSoundRun(plan, run, space, engine.Constraints(costs), oneShot);
            PlanAssert.SameState(plan, run.Final, plan.Replay(run.Events));
        }, iter: 12, print: t => $"space {Gens.Describe(t.Item1)} seed {t.Item2} limits {t.Item3} slots {t.Item4} order {t.Item5}");

    [Theory]
    [MemberData(nameof(Cases))]
    public void PopulationPlan_must_rebuild_every_state_by_replaying_its_journal(string strategy, int slots, long retrain)
    {
        var c = new Fixtures.PopulationCase(strategy, Seed: 3, Slots: slots, RetrainSteps: retrain);
        var live = c.Plan();
        var run = PlanDriver.Run(live, c.Backend(), DriverOptions.Shuffled(9));
        Assert.True(run.Finished);
        PlanAssert.ReplaysEveryState(c.Plan(), run);
        PlanAssert.SameState(live, run.Final, c.Plan().Replay(run.Events));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void PopulationPlan_must_replay_a_journal_read_only_without_costs(string strategy)
    {
        // `nas status` and `nas export` fold the journal with a read-only plan built without the cost table.
        var c = new Fixtures.PopulationCase(strategy, Seed: 4);
        var run = PlanDriver.Run(c.Plan(), c.Backend(), DriverOptions.Shuffled(1));
        var readOnly = (PopulationPlan)Fixtures.Plan(strategy, c.Space, null, c.Engine, c.Settings, readOnly: true);
        PlanAssert.SameStatus(c.Plan().Status((PopulationPlanState)run.Final), readOnly.Status(readOnly.Replay(run.Events)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PopulationPlan_must_journal_the_same_events_for_the_same_seed(string strategy, int slots, long retrain)
    {
        var c = new Fixtures.PopulationCase(strategy, Seed: 21, Slots: slots, RetrainSteps: retrain);
        var a = PlanDriver.Run(c.Plan(), c.Backend(), DriverOptions.Shuffled(2));
        var b = PlanDriver.Run(c.Plan(), c.Backend(), DriverOptions.Shuffled(2));
        PlanAssert.SameEvents(a.Events, b.Events);

        var other = PlanDriver.Run((c with { Seed = 22 }).Plan(), c.Backend(), DriverOptions.Shuffled(2));
        Assert.NotEqual(Canon.Of(a.EventsOf<GenerationProposed>().First()), Canon.Of(other.EventsOf<GenerationProposed>().First()));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void PopulationPlan_must_decide_the_same_whatever_order_results_arrive_in(string strategy)
    {
        var c = new Fixtures.PopulationCase(strategy, Seed: 8, Slots: 3, RetrainSteps: 2);
        var runs = new[] { DriverOptions.InOrder, DriverOptions.Shuffled(1), DriverOptions.Shuffled(2, duplicates: false) }
            .Select(o => PlanDriver.Run(c.Plan(), c.Backend(), o)).ToList();
        // Results are recorded in arrival order; every decision (rounds, generations, the result) is the same.
        static bool Decision(PlanEvent e) => e is not (ScoreRecorded or SliceCompleted or RetrainSliceCompleted);
        foreach (var run in runs.Skip(1))
        {
            PlanAssert.SameEvents(runs[0].Events.Where(Decision), run.Events.Where(Decision));
            Assert.Equal(Canon.All(runs[0].Events).Order(), Canon.All(run.Events).Order());
        }
        Assert.NotEqual(Canon.All(runs[0].Events), Canon.All(runs[1].Events)); // the orders did differ
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void PopulationPlan_must_continue_after_a_crash_with_the_events_of_an_uninterrupted_run(string strategy)
    {
        var c = new Fixtures.PopulationCase(strategy, Seed: 13, Slots: 2, RetrainSteps: 3);
        var options = DriverOptions.Shuffled(17);
        var live = PlanDriver.Run(c.Plan(), c.Backend(), options);
        Assert.True(live.Finished);
        var n = live.Events.Count;
        PlanAssert.ResumesLikeTheLiveRun(() => c.Plan(), c.Backend, options, live, [0, 1, 2, 5, n / 4, n / 3, n / 2, 2 * n / 3, n - 3, n - 1, n]);
    }

    [Fact]
    public void PopulationPlan_must_ignore_stale_duplicate_and_unknown_results()
    {
        var c = new Fixtures.PopulationCase(Fixtures.Regularized, Seed: 2, Slots: 2);
        var plan = c.Plan();
        var live = PlanDriver.Run(plan, c.Backend());
        // Stop once the second generation is proposed: generation 0 is scored, the supernet trained.
        var at = live.Events.FindIndex(e => e is GenerationProposed { Generation: 1 }) + 1;
        var state = plan.Replay(live.Events.Take(at));
        var gen0 = live.EventsOf<GenerationProposed>().First().Rollouts[0];
        var checkpoint = state.Supernet.Checkpoint!;
        var m = new Metrics(0.99, 0.01, 0, 0);
        WorkResult[] stale =
        [
            new RolloutScored(ScoreRollout.KeyOf(gen0.Id, EvalSplit.Validation), gen0.Id, EvalSplit.Validation, m), // scored in generation 0
            new RolloutScored("score/r999", new RolloutId(999), EvalSplit.Validation, m),                           // never proposed
            new RolloutScored(ScoreRollout.KeyOf(gen0.Id, EvalSplit.Test), gen0.Id, EvalSplit.Test, m),              // no result to test yet
            new RetrainEpochTrained("retrain/r0/0/0", gen0.Id, 0, 0, new SliceResult("x", 1, 0, 1, 0)),
            new RetrainTested("retrain-test/r0", gen0.Id, new TrainedModel(m, "w")),
            new SliceTrained("slice/0/1", new SupernetSlice(0, 1, 2, null, 0, 4), new SliceResult("x", 1, 0, 1, 0)),
            new SliceTrained("slice/3/0", new SupernetSlice(3, 0, 2, checkpoint, 12, 4), new SliceResult("y", 1, 0, 1, 0)),
            new SlicesMerged("merge/2", 2, "z"),
        ];
        Assert.All(stale, r => Assert.Empty(plan.OnResult(state, r)));
    }

    [Fact]
    public void PopulationPlan_must_fail_with_a_user_error_when_no_architecture_meets_the_limits()
    {
        // Built past the module (which refuses unsatisfiable limits up front): the search finds nothing to score.
        var space = Fixtures.SposSpace6();
        var costs = Fixtures.SposCosts(space);
        var nothing = new Constraints(costs, 1, null);
        var plan = new PopulationPlan(new RandomSearch(space, nothing, 1, 3, 4), Fixtures.OneShot(slots: 1), 12);
        var run = PlanDriver.Run(plan, new FakeBackend(space, costs));
        var fail = Assert.IsType<PlanStep.Fail>(run.End);
        Assert.True(fail.UserError);
        Assert.Contains("max-flops", fail.Reason);
        Assert.Empty(Proposed(run));
        Assert.Single(run.EventsOf<GenerationProposed>()); // the empty generation that ended the search
    }

    [Fact]
    public void PopulationPlan_must_release_every_superseded_checkpoint_and_keep_the_last()
    {
        var c = new Fixtures.PopulationCase(Fixtures.Spos, Slots: 2);
        var run = PlanDriver.Run(c.Plan(), c.Backend(), DriverOptions.Shuffled(4));
        var rounds = run.EventsOf<RoundCompleted>().ToList();
        var slices = run.EventsOf<SliceCompleted>().Select(s => s.Checkpoint);
        Assert.Equal(slices.Concat(rounds.SkipLast(1).Select(r => r.Checkpoint)).Order(), run.Released.Order());
    }

    [Fact]
    public void PopulationPlan_must_report_its_phases_in_order()
    {
        var c = new Fixtures.PopulationCase(Fixtures.Regularized, Slots: 2, RetrainSteps: 4);
        var plan = c.Plan();
        var run = PlanDriver.Run(plan, c.Backend());
        Assert.Equal(["supernet", "search", "test", "retrain", "finished"], PlanDriver.Phases(plan, run));
        var status = plan.Status((PopulationPlanState)run.Final);
        Assert.NotNull(status.Test);
        Assert.NotNull(status.Retrained);
        Assert.Equal(status.Test!.Id, status.Retrained!.Id);
        Assert.Contains("best_accuracy", status.Figures.Keys);
        Assert.Equal(status.Ranking[0].Metrics.Accuracy, status.Figures["best_accuracy"]);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void PopulationPlan_must_derive_its_best_scored_architectures_best_first_and_refuse_before_any_score(string strategy)
    {
        var c = new Fixtures.PopulationCase(strategy, Seed: 3, Slots: 1);
        var plan = c.Plan();
        var backend = c.Backend();
        var context = new WorkContext(backend, _ => { }, CancellationToken.None);
        var e = Assert.Throws<NasUserException>(() => plan.Derive(plan.Initial, 3, Xoshiro256.FromSeed(1), context));
        Assert.Contains("has scored no architecture yet", e.Message);

        var run = PlanDriver.Run(plan, backend);
        var state = (PopulationPlanState)run.Final;
        var derived = plan.Derive(state, 3, Xoshiro256.FromSeed(1), context);
        Assert.Equal(state.Search.Ranked.Take(3).Select(r => r.Rollout.Architecture), derived);
        Assert.Equal(3, derived.Distinct().Count());
        var all = plan.Derive(state, 100_000, Xoshiro256.FromSeed(1), context);
        Assert.Equal(state.Search.Scores.Count, all.Length); // never more than it scored, each once
    }
}
