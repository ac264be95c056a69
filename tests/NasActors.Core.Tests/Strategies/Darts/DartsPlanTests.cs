using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.SearchSpaces;
using NasActors.Core.SearchSpaces.Darts;
using NasActors.Core.Strategies.Darts;
using NasActors.Core.Tests.Support;
using NasActors.Core.Training;

namespace NasActors.Core.Tests.Strategies.Darts;

/// <summary>The DARTS plan driven like the scheduler drives it, with a fake backend whose logits are hashes of the checkpoint.</summary>
public class DartsPlanTests
{
    /// <summary>3 epochs of 2 rounds of 2 steps on <paramref name="Slots"/> slots.</summary>
    private sealed record Case(long Seed = 1, int Slots = 2, int Retrain = 0, int Epochs = 3)
    {
        public SearchSpace Space { get; } = DartsSpace.Create(new DartsSpec(4, 3, "fashion-mnist"));
        public OneShotSettings OneShot => Fixtures.OneShot(Seed, Slots, stepsPerSlot: 12, stepsPerRound: 2, retrainSteps: Retrain);
        public DartsSettings Settings => new(Epochs, 12 / Epochs, false, 0.025, 0.001, 0.9, 3e-4, 5, 3e-4, 0.5, 0.999, 1e-3, Seed);
        public DartsPlan Plan() => new(Settings, OneShot);
        public FakeBackend Backend() => new(Space);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 2)]
    public void DartsPlan_must_train_every_epoch_then_journal_its_weights_then_derive_score_and_test_the_cell(int slots, int retrain)
    {
        var c = new Case(Slots: slots, Retrain: retrain);
        var plan = c.Plan();
        var backend = c.Backend();
        var run = PlanDriver.Run(plan, backend, DriverOptions.Shuffled(5));
        Assert.True(run.Finished, $"ended with {run.End}");
        Assert.True(run.Redelivered > run.Executed.Count);
        string[] course = retrain > 0 ? ["search", "derive", "test", "retrain", "finished"] : ["search", "derive", "test", "finished"];
        Assert.Equal(course, PlanDriver.Phases(plan, run));

        // Rounds of mixed-op slices only, each epoch's two rounds before its weights are read.
        Assert.Empty(run.Executed.OfType<TrainSlice>());
        Assert.Equal(6 * slots, backend.CallsOf("mixed-slice"));
        Assert.Equal("RRERRERRE", string.Concat(run.Events.Select(e => e switch { RoundCompleted => "R", ArchitectureEpochCompleted => "E", _ => "" })));
        var epochs = run.EventsOf<ArchitectureEpochCompleted>().ToList();
        Assert.Equal([0, 1, 2], epochs.Select(e => e.Epoch));
        Assert.All(epochs, e =>
        {
            foreach (var cell in new[] { e.Normal, e.Reduce })
            {
                Assert.Equal(DartsSpace.EdgeCount, cell.Length);
                Assert.All(cell, edge => Assert.Equal(1.0, edge.Sum(), 12));
                Assert.All(cell, edge => Assert.Equal(DartsSpace.SearchOps.Length, edge.Length));
            }
        });
        // Each epoch reads the checkpoint its last round merged, so the weights differ from epoch to epoch.
        Assert.Equal(3, epochs.Select(Canon.Of).Distinct().Count());

        // One result: the cell the last epoch's weights derive, scored on validation and tested.
        var top = Assert.Single(Assert.Single(run.EventsOf<SearchCompleted>()).Top);
        var last = epochs[^1];
        Assert.Equal(DartsDerivation.Derive(ArchitectureWeights.FromSoftmax(last.Normal, last.Reduce)), top.Rollout.Architecture);
        c.Space.Validate(top.Rollout.Architecture);
        Assert.Equal(top.Rollout.Id, Assert.Single(run.EventsOf<TestCompleted>()).Id);
        Assert.Equal(1, backend.CallsOf("score"));
        Assert.Equal(retrain > 0 ? 1 : 0, run.EventsOf<RetrainCompleted>().Count());

        var status = plan.Status((DartsPlanState)run.Final);
        Assert.True(status.Finished);
        Assert.Equal(new PlanCounter("epoch", 3, 3), status.Counter("epoch"));
        Assert.InRange(status.Figures["normal_max_weight"], 1.0 / DartsSpace.SearchOps.Length, 1.0);
        Assert.Equal(top.Rollout.Architecture, DartsPlan.Current((DartsPlanState)run.Final));
        Assert.DoesNotContain(status.Checkpoint!, run.Released);
    }

    [Fact]
    public void DartsPlan_must_report_no_current_cell_before_the_first_epoch_ends_and_the_latest_after()
    {
        var c = new Case();
        var plan = c.Plan();
        var run = PlanDriver.Run(plan, c.Backend());
        var firstEpoch = run.Events.FindIndex(e => e is ArchitectureEpochCompleted);
        Assert.Null(DartsPlan.Current((DartsPlanState)run.States[firstEpoch - 1]));
        var after = (DartsPlanState)run.States[firstEpoch];
        var e0 = (ArchitectureEpochCompleted)run.Events[firstEpoch];
        Assert.Equal(DartsDerivation.Derive(ArchitectureWeights.FromSoftmax(e0.Normal, e0.Reduce)), DartsPlan.Current(after));
        Assert.Equal("search", plan.Status(after).Phase);
    }

    [Fact]
    public void DartsPlan_must_rebuild_every_state_by_replaying_and_continue_after_a_crash_with_the_events_of_an_uninterrupted_run()
    {
        var c = new Case(Seed: 4, Slots: 2, Retrain: 2);
        var options = DriverOptions.Shuffled(7);
        var live = PlanDriver.Run(c.Plan(), c.Backend(), options);
        Assert.True(live.Finished);
        PlanAssert.ReplaysEveryState(c.Plan(), live);
        var n = live.Events.Count;
        PlanAssert.ResumesLikeTheLiveRun(() => c.Plan(), c.Backend, options, live, [0, 1, 2, 3, 5, n / 3, n / 2, 2 * n / 3, n - 2, n - 1, n]);
    }

    [Fact]
    public void DartsPlan_must_drop_weights_read_from_another_epoch_or_checkpoint_and_a_score_before_the_end()
    {
        var c = new Case(Slots: 2);
        var plan = c.Plan();
        var live = PlanDriver.Run(plan, c.Backend());
        var at = live.Events.FindIndex(e => e is ArchitectureEpochCompleted);
        var state = (DartsPlanState)live.States[at - 1]; // epoch 0's rounds done, its weights not yet read
        var read = (ArchitectureWeightsRead)new ReadArchitectureWeights(0, state.Supernet.Checkpoint!).Execute(new WorkContext(c.Backend(), _ => { }, CancellationToken.None));
        Assert.Single(plan.OnResult(state, read));
        WorkResult[] stale =
        [
            read with { Epoch = 1 },
            read with { Checkpoint = "an-older-checkpoint" },
            new RolloutScored("score/r0", new RolloutId(0), EvalSplit.Validation, new Metrics(0.5, 0.5, 0, 0)),
        ];
        Assert.All(stale, r => Assert.True(plan.OnResult(state, r).IsEmpty, $"{r.Key} was not dropped"));
        var done = (DartsPlanState)live.States[at];
        Assert.Empty(plan.OnResult(done, read)); // the same epoch read again
    }

    [Fact]
    public void DartsPlan_must_journal_the_same_events_for_the_same_seed_in_any_order()
    {
        var c = new Case(Seed: 9, Slots: 2);
        var a = PlanDriver.Run(c.Plan(), c.Backend(), DriverOptions.Shuffled(1));
        var b = PlanDriver.Run(c.Plan(), c.Backend(), DriverOptions.Shuffled(2));
        static bool Decision(PlanEvent e) => e is not SliceCompleted;
        PlanAssert.SameEvents(a.Events.Where(Decision), b.Events.Where(Decision));
    }

    [Fact]
    public void DartsModule_must_refuse_rounds_the_epochs_do_not_divide_and_flops_limits()
    {
        var m = new DartsStrategyModule();
        var section = FakeSettings.FromSection("nas.strategies.darts", m.ConfigSection).With("epochs", "4");
        var engine = Fixtures.Engine(Fixtures.OneShot(slots: 2, stepsPerSlot: 12, stepsPerRound: 2));
        var e = Assert.Throws<NasUserException>(() => m.ReadSettings(section, engine));
        Assert.Contains("nas.strategies.darts.epochs = 4", e.Message);
        Assert.Contains("nas.train.total-steps", e.Message);
        var ok = (DartsSettings)m.ReadSettings(section.With("epochs", "3"), engine);
        Assert.Equal(4, ok.StepsPerEpoch); // 12 steps per slot in 3 epochs
        var limited = Fixtures.Engine(Fixtures.OneShot(slots: 2, stepsPerSlot: 12, stepsPerRound: 2), maxFlops: 1000);
        Assert.Contains("max-flops", Assert.Throws<NasUserException>(() => m.ReadSettings(section.With("epochs", "3"), limited)).Message);
        var lr = Assert.Throws<NasUserException>(() => m.ReadSettings(section.With("epochs", "3").With("weights.learning-rate-min", "0.5"), engine));
        Assert.Contains("learning-rate-min", lr.Message);
    }
}
