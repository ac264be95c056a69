using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.Randomness;
using NasActors.Core.Strategies.Enas;
using NasActors.Core.Tests.Support;
using NasActors.Core.Training;

namespace NasActors.Core.Tests.Strategies.Enas;

/// <summary>The ENAS plan driven like the scheduler drives it, with a fake backend whose policy samples uniformly.</summary>
public class EnasPlanTests
{
    public static TheoryData<int, long> Cases => new() { { 1, 0 }, { 2, 3 }, { 3, 0 } };

    private static IEnumerable<Rollout> Sampled(PlanRun run) => run.EventsOf<BatchSampled>().SelectMany(b => b.Rollouts);

    [Theory]
    [MemberData(nameof(Cases))]
    public void EnasPlan_must_run_to_finish_with_valid_samples_each_rewarded_once(int slots, long retrain)
    {
        var c = new Fixtures.EnasCase(Seed: 5, Slots: slots, RetrainSteps: retrain);
        var plan = c.Plan();
        var backend = c.Backend();
        var run = PlanDriver.Run(plan, backend, DriverOptions.Shuffled(3));
        Assert.True(run.Finished, $"ended with {run.End}");
        Assert.True(run.Redelivered > run.Executed.Count);
        var rl = c.Settings.Reinforce;

        var sampled = Sampled(run).ToList();
        Assert.All(sampled, r => c.Space.Validate(r.Architecture));
        Assert.Equal(Enumerable.Range(0, sampled.Count), sampled.Select(r => r.Id.Value));
        Assert.Equal(rl.TotalSteps * rl.SamplesPerUpdate + rl.DeriveSamples, sampled.Count);
        var batches = run.EventsOf<BatchSampled>().ToList();
        Assert.Equal(rl.TotalSteps + 1, batches.Count);
        Assert.Equal([.. Enumerable.Range(0, (int)rl.TotalSteps).Select(i => (long)i), rl.TotalSteps], batches.Select(b => b.Step));
        Assert.Equal([.. Enumerable.Repeat(false, (int)rl.TotalSteps), true], batches.Select(b => b.Derive));

        // Each sampled rollout rewarded (or, in the derive batch, scored) exactly once.
        var rewards = run.EventsOf<RewardRecorded>().ToList();
        Assert.Equal(sampled.Select(r => r.Id).Order(), rewards.Select(r => r.Id).Order());
        Assert.Equal((int)(rl.TotalSteps * rl.SamplesPerUpdate), backend.CallsOf("reward"));
        Assert.Equal(rl.DeriveSamples, backend.CallsOf("score"));

        var updates = run.EventsOf<PolicyUpdated>().ToList();
        Assert.Equal(Enumerable.Range(1, (int)rl.TotalSteps).Select(i => (long)i), updates.Select(u => u.Step));
        Assert.Equal(updates.Count, updates.Select(u => u.Policy).Distinct().Count());
        Assert.Single(run.EventsOf<PolicyInitialized>());
        Assert.Equal(c.Engine.OneShot.Rounds, run.EventsOf<RoundCompleted>().Count());
        Assert.All(run.Executed.OfType<TrainSlice>(), t => Assert.NotNull(t.Slice.Policy));

        // The result: the derive batch, best first; its best tested (and retrained).
        var derive = batches[^1].Rollouts;
        var top = Assert.Single(run.EventsOf<SearchCompleted>()).Top;
        Assert.Equal(derive.Select(r => r.Id).Order(), top.Select(t => t.Rollout.Id).Order());
        Assert.Equal(top.Order(ScoredRollout.BestFirst), top.AsEnumerable());
        Assert.Equal(top[0].Rollout.Id, Assert.Single(run.EventsOf<TestCompleted>()).Id);
        Assert.Equal(retrain > 0 ? 1 : 0, run.EventsOf<RetrainCompleted>().Count());

        var status = plan.Status((EnasPlanState)run.Final);
        Assert.True(status.Finished);
        Assert.Equal(rl.DeriveSamples, status.Scored);
        Assert.Equal(new PlanCounter("controller_step", rl.TotalSteps, rl.TotalSteps), status.Counter("controller_step"));
        Assert.Equal(new PlanCounter("epoch", rl.Epochs, rl.Epochs), status.Counter("epoch"));
        Assert.DoesNotContain(status.Checkpoint!, run.Released);
        Assert.DoesNotContain(((EnasPlanState)run.Final).Controller.Policy!, run.Released);
    }

    [Fact]
    public void EnasPlan_must_alternate_shared_and_controller_training_then_derive_test_and_finish()
    {
        var c = new Fixtures.EnasCase(RetrainSteps: 0);
        var plan = c.Plan();
        var run = PlanDriver.Run(plan, c.Backend(), DriverOptions.Shuffled(8));
        Assert.Equal(["policy", "shared", "controller", "shared", "controller", "shared", "controller", "derive", "test", "finished"],
            PlanDriver.Phases(plan, run));

        var withRetrain = new Fixtures.EnasCase(RetrainSteps: 7);
        var plan2 = withRetrain.Plan();
        var run2 = PlanDriver.Run(plan2, withRetrain.Backend());
        Assert.Equal(["policy", "shared", "controller", "shared", "controller", "shared", "controller", "derive", "test", "retrain", "finished"],
            PlanDriver.Phases(plan2, run2));

        // Every epoch's rounds (2 of them) are trained before its controller steps, and the controller learns before the next epoch.
        var kinds = run.Events.Select(e => e switch
        {
            RoundCompleted => "R",
            PolicyUpdated => "U",
            _ => "",
        });
        Assert.Equal("RRUURRUURRUU", string.Concat(kinds));
    }

    [Fact]
    public void EnasPlan_must_skip_controller_training_when_steps_per_epoch_is_zero()
    {
        var c = new Fixtures.EnasCase(StepsPerEpoch: 0);
        var plan = c.Plan();
        var backend = c.Backend();
        var run = PlanDriver.Run(plan, backend, DriverOptions.Shuffled(2));
        Assert.True(run.Finished);
        Assert.Equal(["policy", "shared", "derive", "test", "finished"], PlanDriver.Phases(plan, run));
        Assert.Empty(run.Executed.OfType<UpdatePolicy>());
        Assert.Empty(run.Executed.OfType<RewardRollout>());
        Assert.Empty(run.EventsOf<PolicyUpdated>());
        var batch = Assert.Single(run.EventsOf<BatchSampled>());
        Assert.True(batch.Derive);
        Assert.Equal(0, batch.Step);
        Assert.Equal(c.Engine.OneShot.Rounds, run.EventsOf<RoundCompleted>().Count());
        Assert.Equal(1, backend.CallsOf("policy-sample"));
    }

    [Fact]
    public void EnasPlan_must_drop_results_of_a_stale_phase()
    {
        var c = new Fixtures.EnasCase(Slots: 2);
        var plan = c.Plan();
        var live = PlanDriver.Run(plan, c.Backend());
        var at = PlanDriverIndex(plan, live, "controller");
        var state = plan.Replay(live.Events.Take(at + 1));
        Assert.Equal("controller", plan.Status(state).Phase);
        var rounds = state.Supernet.RoundsDone;
        var lastSlice = live.Executed.OfType<TrainSlice>().Last(t => t.Slice.Round == rounds - 1);
        var context = new WorkContext(c.Backend(), _ => { }, CancellationToken.None);
        var anyArch = live.EventsOf<BatchSampled>().First().Rollouts[0].Architecture;
        WorkResult[] stale =
        [
            lastSlice.Execute(context),                                                                    // late slice of the epoch just trained
            new TrainSlice(lastSlice.Slice with { Round = rounds, FromCheckpoint = state.Supernet.Checkpoint }).Execute(context), // the next epoch's, too early
            new SlicesMerged($"merge/{rounds - 1}", rounds - 1, "late-merge"),
            new SlicesMerged($"merge/{rounds}", rounds, "early-merge"),
            new PolicyCreated("policy/init", "another-policy"),
            new PolicySampled("policy/derive/0", 0, Derive: true, [anyArch], state.Controller.Rng),          // a derive batch before the last epoch
            new PolicyLearned("policy/update/5", 5, new PolicyUpdate("p5", 0, 1, 0), 0.5, 0.5),            // a step that is not next
            new RolloutScored("reward/r999", new RolloutId(999), EvalSplit.Validation, new Metrics(1, 0, 0, 0)),
            new RolloutScored("test/r0", new RolloutId(0), EvalSplit.Test, new Metrics(1, 0, 0, 0)),
            new RetrainEpochTrained("retrain/r0/0/0", new RolloutId(0), 0, 0, new SliceResult("x", 1, 0, 1, 0)),
            new RetrainTested("retrain-test/r0", new RolloutId(0), new TrainedModel(new Metrics(1, 0, 0, 0), "w")),
        ];
        Assert.All(stale, r => Assert.True(plan.OnResult(state, r).IsEmpty, $"{r.Key} was not dropped"));
    }

    /// <summary>The index of the first event after which the plan is in <paramref name="phase"/>.</summary>
    private static int PlanDriverIndex(IPlan plan, PlanRun run, string phase) =>
        run.States.FindIndex(s => plan.Status(s).Phase == phase);

    [Fact]
    public void EnasPlan_must_drop_a_late_slice_while_the_controller_samples_rewards_and_learns()
    {
        // At every event of controller training, a result of the shared-weight training that preceded it yields nothing.
        var c = new Fixtures.EnasCase(Slots: 2);
        var plan = c.Plan();
        var live = PlanDriver.Run(plan, c.Backend());
        var context = new WorkContext(c.Backend(), _ => { }, CancellationToken.None);
        var checkedStates = 0;
        for (var i = 0; i < live.States.Count; i++)
        {
            var s = (EnasPlanState)live.States[i];
            if (plan.Status(s).Phase != "controller") continue;
            var late = live.Executed.OfType<TrainSlice>().Where(t => t.Slice.Round < s.Supernet.RoundsDone).TakeLast(2);
            foreach (var t in late) Assert.Empty(plan.OnResult(s, t.Execute(context)));
            checkedStates++;
        }
        Assert.True(checkedStates >= 3 * 2 * 4, $"only {checkedStates} controller states");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EnasPlan_must_rebuild_every_state_by_replaying_its_journal(int slots, long retrain)
    {
        var c = new Fixtures.EnasCase(Seed: 6, Slots: slots, RetrainSteps: retrain);
        var live = c.Plan();
        var run = PlanDriver.Run(live, c.Backend(), DriverOptions.Shuffled(4));
        Assert.True(run.Finished);
        PlanAssert.ReplaysEveryState(c.Plan(), run);
        PlanAssert.SameState(live, run.Final, c.Plan().Replay(run.Events));
    }

    [Fact]
    public void EnasPlan_must_journal_the_same_events_for_the_same_seed_and_decide_alike_in_any_order()
    {
        var c = new Fixtures.EnasCase(Seed: 9, Slots: 2, RetrainSteps: 2);
        var a = PlanDriver.Run(c.Plan(), c.Backend(), DriverOptions.Shuffled(1));
        var b = PlanDriver.Run(c.Plan(), c.Backend(), DriverOptions.Shuffled(1));
        PlanAssert.SameEvents(a.Events, b.Events);

        var ordered = PlanDriver.Run(c.Plan(), c.Backend(), DriverOptions.InOrder);
        static bool Decision(PlanEvent e) => e is not (RewardRecorded or SliceCompleted or RetrainSliceCompleted);
        PlanAssert.SameEvents(a.Events.Where(Decision), ordered.Events.Where(Decision));
        Assert.Equal(Canon.All(a.Events).Order(), Canon.All(ordered.Events).Order());

        var other = PlanDriver.Run((c with { Seed = 10 }).Plan(), c.Backend(), DriverOptions.Shuffled(1));
        Assert.NotEqual(Canon.Of(a.EventsOf<BatchSampled>().First()), Canon.Of(other.EventsOf<BatchSampled>().First()));
    }

    [Fact]
    public void EnasPlan_must_continue_after_a_crash_with_the_events_of_an_uninterrupted_run()
    {
        var c = new Fixtures.EnasCase(Seed: 12, Slots: 2, RetrainSteps: 2);
        var options = DriverOptions.Shuffled(6);
        var live = PlanDriver.Run(c.Plan(), c.Backend(), options);
        var n = live.Events.Count;
        PlanAssert.ResumesLikeTheLiveRun(() => c.Plan(), c.Backend, options, live, [0, 1, 2, 3, 7, n / 5, n / 3, n / 2, 3 * n / 4, n - 4, n - 2, n - 1, n]);
    }

    [Fact]
    public void EnasPlan_must_refuse_rounds_that_the_epochs_do_not_divide()
    {
        var e = Assert.Throws<NasUserException>(() =>
            new EnasPlan(Fixtures.EnasSettings(epochs: 4), Fixtures.OneShot(slots: 2, stepsPerSlot: 12, stepsPerRound: 2)));
        Assert.Contains("nas.strategies.enas-rl.epochs = 4", e.Message);
        Assert.Contains("6 rounds", e.Message);
    }

    [Fact]
    public void EnasPlan_must_release_old_policies_once_a_newer_one_is_journaled()
    {
        var c = new Fixtures.EnasCase();
        var run = PlanDriver.Run(c.Plan(), c.Backend(), DriverOptions.Shuffled(3));
        var policies = new[] { run.EventsOf<PolicyInitialized>().Single().Policy }.Concat(run.EventsOf<PolicyUpdated>().Select(u => u.Policy)).ToList();
        Assert.Equal(policies.SkipLast(1).Order(), run.Released.Where(r => r.StartsWith("policy-", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public void EnasPlan_must_derive_distinct_policy_samples_from_the_seed_and_refuse_before_a_policy_exists()
    {
        var c = new Fixtures.EnasCase(Seed: 5);
        var plan = c.Plan();
        var backend = c.Backend();
        var context = new WorkContext(backend, _ => { }, CancellationToken.None);
        Assert.Contains("no policy yet", Assert.Throws<NasUserException>(() => plan.Derive(plan.Initial, 4, Xoshiro256.FromSeed(1), context)).Message);

        var run = PlanDriver.Run(plan, backend);
        var a = plan.Derive(run.Final, 4, Xoshiro256.FromSeed(1), context);
        Assert.Equal(4, a.Distinct().Count());
        Assert.Equal(a.AsEnumerable(), plan.Derive(run.Final, 4, Xoshiro256.FromSeed(1), context).AsEnumerable()); // seeded (ImmutableArray's own equality is by reference)
        Assert.NotEqual(a.AsEnumerable(), plan.Derive(run.Final, 4, Xoshiro256.FromSeed(2), context).AsEnumerable());
        Assert.All(a, c.Space.Validate);
    }
}
