using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Tests.Support;
using NasActors.Core.Training;

namespace NasActors.Core.Tests.OneShot;

/// <summary>The pieces every one-shot plan composes: data-parallel supernet rounds and the finale.</summary>
public class SupernetScheduleTests
{
    [Theory]
    [InlineData(1, 10, 4)]
    [InlineData(3, 10, 4)]
    [InlineData(2, 8, 8)]
    [InlineData(2, 7, 1)]
    public void SupernetSchedule_must_train_every_step_of_every_slot_once_each_round_from_the_last_rounds_weights(int slots, long steps, int perRound)
    {
        var c = new Fixtures.PopulationCase(Fixtures.Random, Slots: slots);
        var oneShot = Fixtures.OneShot(1, slots, steps, perRound);
        var plan = Fixtures.Plan(Fixtures.Random, c.Space, c.Costs, Fixtures.Engine(oneShot, c.MaxFlops), c.Settings);
        var run = PlanDriver.Run(plan, c.Backend(), DriverOptions.Shuffled(3));
        var rounds = run.EventsOf<RoundCompleted>().ToList();
        Assert.Equal((int)((steps + perRound - 1) / perRound), rounds.Count);
        var slices = run.Executed.OfType<TrainSlice>().Select(t => t.Slice).ToList();
        Assert.Equal(rounds.Count * slots, slices.Count);
        for (var slot = 0; slot < slots; slot++)
        {
            var mine = slices.Where(s => s.Slot == slot).OrderBy(s => s.Round).ToList();
            Assert.Equal(Enumerable.Range(0, rounds.Count), mine.Select(s => s.Round));
            Assert.Equal(steps, mine.Sum(s => (long)s.Steps));
            Assert.All(mine, s => Assert.Equal((long)s.Round * perRound, s.FirstStep));
            Assert.All(mine, s => Assert.Equal(slots, s.Slots));
            Assert.All(mine, s => Assert.Null(s.Policy)); // population strategies sample paths uniformly
            Assert.Null(mine[0].FromCheckpoint);
            Assert.All(mine.Skip(1), s => Assert.Equal(rounds[s.Round - 1].Checkpoint, s.FromCheckpoint));
        }
        // One slot: the round's weights are its slice's; several: their average, by a merge.
        var merges = run.Executed.OfType<MergeSlices>().ToList();
        if (slots == 1)
        {
            Assert.Empty(merges);
            Assert.All(rounds, r => Assert.Equal(run.EventsOf<SliceCompleted>().Single(s => s.Round == r.Round).Checkpoint, r.Checkpoint));
        }
        else
        {
            Assert.Equal(rounds.Count, merges.Count);
            Assert.All(merges, m => Assert.Equal(run.EventsOf<SliceCompleted>().Where(s => s.Round == m.Round).OrderBy(s => s.Slot).Select(s => s.Checkpoint), m.Checkpoints));
        }
        var status = plan.Status(run.Final);
        Assert.Equal(new PlanCounter("round", rounds.Count, rounds.Count), status.Counter("round"));
        Assert.Equal(slices.Sum(s => s.Steps * 8.0), status.Figures["images_trained"]);
    }

    private static readonly Rollout Best = new(new RolloutId(3), new Architecture([KeyValuePair.Create("op", "a")]), 0, "test");
    private static readonly Metrics M = new(0.5, 0.5, 0, 0);

    [Fact]
    public void Finale_must_wait_for_a_result_then_test_it_then_retrain_it_then_finish()
    {
        var f = new Finale(Fixtures.Retrain(epochs: 1));
        Assert.Null(f.Next(FinalState.Empty, "w"));
        Assert.Null(f.Phase(FinalState.Empty));
        var s = Finale.Apply(FinalState.Empty, new SearchCompleted([new ScoredRollout(Best, M)]))!;
        var test = Assert.IsType<ScoreRollout>(Assert.Single(Assert.IsType<PlanStep.Run>(f.Next(s, "w")).Work));
        Assert.Equal((Best, "w", EvalSplit.Test), (test.Rollout, test.Checkpoint, test.Split));
        Assert.Equal("test", f.Phase(s));
        var epoch = new RetrainEpochTrained("retrain/r3/0/0", Best.Id, 0, 0, new SliceResult("e0", 1, 0.5, 10, 1));
        Assert.Empty(f.OnResult(s, new RolloutScored("test/r9", new RolloutId(9), EvalSplit.Test, M))!.Value); // not the result
        Assert.Empty(f.OnResult(s, epoch)!.Value);                                                              // not tested yet
        Assert.Null(f.OnResult(s, new RolloutScored("score/r3", Best.Id, EvalSplit.Validation, M)));          // not the finale's
        s = Finale.Apply(s, Assert.Single(f.OnResult(s, new RolloutScored("test/r3", Best.Id, EvalSplit.Test, M))!.Value))!;
        Assert.Equal("retrain", f.Phase(s));
        var work = Assert.IsType<RetrainEpoch>(Assert.Single(Assert.IsType<PlanStep.Run>(f.Next(s, "w")).Work));
        Assert.Equal((Best, 0, 0, (string?)null), (work.Rollout, work.Epoch, work.Slot, work.FromCheckpoint));
        s = Finale.Apply(s, Assert.Single(f.OnResult(s, epoch)!.Value))!;
        s = Finale.Apply(s, Assert.Single(Assert.IsType<PlanStep.Emit>(f.Next(s, "w")).Events))!;
        Assert.Equal("e0", Assert.IsType<RetrainTest>(Assert.Single(Assert.IsType<PlanStep.Run>(f.Next(s, "w")).Work)).Checkpoint);
        var tested = new RetrainTested("retrain-test/r3", Best.Id, new TrainedModel(M, "weights"));
        s = Finale.Apply(s, Assert.Single(f.OnResult(s, tested)!.Value))!;
        Assert.Equal("finished", f.Phase(s));
        Assert.Equal(new RetrainResult(Best.Id, 1, M, "weights"), s.Retrained);
        Assert.IsType<PlanStep.Finish>(f.Next(s, "w"));
        Assert.Empty(f.OnResult(s, tested)!.Value);
        Assert.Same(s, Finale.Apply(s, new SearchCompleted([])));
    }

    [Fact]
    public void Finale_must_fail_on_an_empty_result_or_without_shared_weights()
    {
        var f = new Finale(RetrainSettings.Off);
        var empty = Assert.IsType<PlanStep.Fail>(f.Next(FinalState.Empty with { Top = ImmutableArray<ScoredRollout>.Empty }, "w"));
        Assert.True(empty.UserError);
        var noWeights = Assert.IsType<PlanStep.Fail>(f.Next(FinalState.Empty with { Top = [new ScoredRollout(Best, M)] }, null));
        Assert.False(noWeights.UserError);
    }
}
