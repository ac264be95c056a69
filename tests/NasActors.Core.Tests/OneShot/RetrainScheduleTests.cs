using System.Collections.Immutable;
using NasActors.Core.Engine;
using NasActors.Core.Experiments;
using NasActors.Core.OneShot;
using NasActors.Core.SearchSpaces;
using NasActors.Core.Strategies.Train;
using NasActors.Core.Tests.Support;
using NasActors.Core.Training;

namespace NasActors.Core.Tests.OneShot;

public class RetrainScheduleTests
{
    private static readonly Rollout R = new(new RolloutId(0), new Architecture([KeyValuePair.Create("op", "a")]), 0, "nas train");
    private static readonly Metrics M = new(0.7, 0.4, 100, 10);

    private static SliceResult Slice(string checkpoint) => new(checkpoint, 1, 0.5, 32, 1);

    [Fact]
    public void RetrainSchedule_must_train_each_epoch_from_the_last_checkpoint_then_test_and_release_what_resume_no_longer_needs()
    {
        var schedule = new RetrainSchedule(Fixtures.Retrain(epochs: 2));
        var s = RetrainState.Empty;
        var first = Assert.IsType<RetrainEpoch>(Assert.Single(Assert.IsType<PlanStep.Run>(schedule.Next(s, R)).Work));
        Assert.Equal((0, 0, (string?)null), (first.Epoch, first.Slot, first.FromCheckpoint));
        Assert.Equal("retrain/r0/0/0", first.Key);

        var events = new List<PlanEvent>();
        var released = new List<string>();
        void Journal(PlanEvent e)
        {
            released.AddRange(RetrainSchedule.Released(s, e));
            s = RetrainSchedule.Apply(s, e)!;
            events.Add(e);
        }

        foreach (var e in schedule.OnResult(s, R.Id, new RetrainEpochTrained(first.Key, R.Id, 0, 0, Slice("e0")))!.Value) Journal(e);
        foreach (var e in Assert.IsType<PlanStep.Emit>(schedule.Next(s, R)).Events) Journal(e);
        Assert.Equal((1, "e0"), (s.EpochsDone, s.Checkpoint));
        Assert.Empty(released); // fresh weights had no checkpoint

        var second = Assert.IsType<RetrainEpoch>(Assert.Single(Assert.IsType<PlanStep.Run>(schedule.Next(s, R)).Work));
        Assert.Equal((1, "e0"), (second.Epoch, second.FromCheckpoint));
        foreach (var e in schedule.OnResult(s, R.Id, new RetrainEpochTrained(second.Key, R.Id, 1, 0, Slice("e1")))!.Value) Journal(e);
        foreach (var e in Assert.IsType<PlanStep.Emit>(schedule.Next(s, R)).Events) Journal(e);
        Assert.Equal(["e0"], released);

        var test = Assert.IsType<RetrainTest>(Assert.Single(Assert.IsType<PlanStep.Run>(schedule.Next(s, R)).Work));
        Assert.Equal("e1", test.Checkpoint);
        foreach (var e in schedule.OnResult(s, R.Id, new RetrainTested(test.Key, R.Id, new TrainedModel(M, "w")))!.Value) Journal(e);
        Assert.Equal(new RetrainResult(R.Id, 2, M, "w"), s.Result);
        Assert.Equal(["e0", "e1"], released);
        Assert.Null(schedule.Next(s, R));
        Assert.Equal([typeof(RetrainSliceCompleted), typeof(RetrainEpochCompleted), typeof(RetrainSliceCompleted), typeof(RetrainEpochCompleted), typeof(RetrainCompleted)],
            events.Select(e => e.GetType()));
        Assert.Equal((64L, 1.0, 0.5), (s.ImagesTrained, s.LastLoss, s.LastAccuracy));
    }

    [Fact]
    public void RetrainSchedule_must_slice_an_epoch_over_its_slots_and_merge_them()
    {
        var schedule = new RetrainSchedule(Fixtures.Retrain(epochs: 1, slots: 3));
        var s = RetrainState.Empty;
        var work = Assert.IsType<PlanStep.Run>(schedule.Next(s, R)).Work.Cast<RetrainEpoch>().ToList();
        Assert.Equal([0, 1, 2], work.Select(w => w.Slot));
        s = RetrainSchedule.Apply(s, Assert.Single(schedule.OnResult(s, R.Id, new RetrainEpochTrained(work[1].Key, R.Id, 0, 1, Slice("s1")))!.Value))!;
        Assert.Equal([0, 2], Assert.IsType<PlanStep.Run>(schedule.Next(s, R)).Work.Cast<RetrainEpoch>().Select(w => w.Slot)); // only the missing slots
        s = RetrainSchedule.Apply(s, Assert.Single(schedule.OnResult(s, R.Id, new RetrainEpochTrained(work[2].Key, R.Id, 0, 2, Slice("s2")))!.Value))!;
        s = RetrainSchedule.Apply(s, Assert.Single(schedule.OnResult(s, R.Id, new RetrainEpochTrained(work[0].Key, R.Id, 0, 0, Slice("s0")))!.Value))!;
        var merge = Assert.IsType<MergeRetrainSlots>(Assert.Single(Assert.IsType<PlanStep.Run>(schedule.Next(s, R)).Work));
        Assert.Equal(["s0", "s1", "s2"], merge.Checkpoints.ToArray()); // by slot, whatever order they finished in
        var done = Assert.IsType<RetrainEpochCompleted>(Assert.Single(schedule.OnResult(s, R.Id, new RetrainSlotsMerged(merge.Key, R.Id, 0, "m0"))!.Value));
        Assert.Equal(["s0", "s1", "s2"], RetrainSchedule.Released(s, done).ToArray());
        s = RetrainSchedule.Apply(s, done)!;
        Assert.Equal("m0", Assert.IsType<RetrainTest>(Assert.Single(Assert.IsType<PlanStep.Run>(schedule.Next(s, R)).Work)).Checkpoint);
    }

    [Fact]
    public void RetrainSchedule_must_run_each_epoch_as_its_rounds_each_merged_and_journaled_from_the_previous_one()
    {
        var schedule = new RetrainSchedule(Fixtures.Retrain(epochs: 2, slots: 2, rounds: 3));
        var s = RetrainState.Empty;
        var closed = new List<PlanEvent>();
        var released = new List<string>();
        string? previous = null;
        for (var step = 0; step < 6; step++)
        {
            var (epoch, round) = (step / 3, step % 3);
            var work = Assert.IsType<PlanStep.Run>(schedule.Next(s, R)).Work.Cast<RetrainEpoch>().ToList();
            Assert.All(work, w => Assert.Equal((epoch, round, previous), (w.Epoch, w.Round, w.FromCheckpoint)));
            Assert.Equal([$"retrain/r0/{epoch}.{round}/0", $"retrain/r0/{epoch}.{round}/1"], work.Select(w => w.Key));
            // A slot of another round is stale.
            Assert.True(schedule.OnResult(s, R.Id, new RetrainEpochTrained("x", R.Id, epoch, 0, Slice("stale"), round + 1))!.Value.IsEmpty);
            foreach (var w in work)
                s = RetrainSchedule.Apply(s, Assert.Single(schedule.OnResult(s, R.Id, new RetrainEpochTrained(w.Key, R.Id, epoch, w.Slot, Slice($"s{step}.{w.Slot}"), round))!.Value))!;
            var merge = Assert.IsType<MergeRetrainSlots>(Assert.Single(Assert.IsType<PlanStep.Run>(schedule.Next(s, R)).Work));
            Assert.Equal((epoch, round), (merge.Epoch, merge.Round));
            var done = Assert.Single(schedule.OnResult(s, R.Id, new RetrainSlotsMerged(merge.Key, R.Id, epoch, $"m{step}", round))!.Value);
            released.AddRange(RetrainSchedule.Released(s, done));
            s = RetrainSchedule.Apply(s, done)!;
            closed.Add(done);
            previous = $"m{step}";
        }
        // The last round of an epoch completes it; the others are rounds.
        Assert.Equal([typeof(RetrainRoundCompleted), typeof(RetrainRoundCompleted), typeof(RetrainEpochCompleted),
                      typeof(RetrainRoundCompleted), typeof(RetrainRoundCompleted), typeof(RetrainEpochCompleted)], closed.Select(e => e.GetType()));
        Assert.Equal((2, 0), (s.EpochsDone, s.RoundsDone));
        Assert.Equal("m5", Assert.IsType<RetrainTest>(Assert.Single(Assert.IsType<PlanStep.Run>(schedule.Next(s, R)).Work)).Checkpoint);
        // Every slot's checkpoint and every superseded round's are released; the last round's is what the test reads.
        Assert.Equal(Enumerable.Range(0, 6).SelectMany(i => new[] { $"s{i}.0", $"s{i}.1" }).Concat(Enumerable.Range(0, 5).Select(i => $"m{i}")).Order(), released.Order());
    }

    [Fact]
    public void RetrainSchedule_must_ignore_stale_duplicate_and_foreign_results()
    {
        var schedule = new RetrainSchedule(Fixtures.Retrain(epochs: 2, slots: 2));
        var s = RetrainState.Empty;
        s = RetrainSchedule.Apply(s, Assert.Single(schedule.OnResult(s, R.Id, new RetrainEpochTrained("retrain/r0/0/0", R.Id, 0, 0, Slice("a")))!.Value))!;
        WorkResult[] stale =
        [
            new RetrainEpochTrained("retrain/r0/0/0", R.Id, 0, 0, Slice("again")), // the slot is done
            new RetrainEpochTrained("retrain/r0/1/1", R.Id, 1, 1, Slice("early")), // a later epoch
            new RetrainEpochTrained("retrain/r5/0/1", new RolloutId(5), 0, 1, Slice("other")), // another rollout
            new RetrainEpochTrained("retrain/r0/0/7", R.Id, 0, 7, Slice("no-slot")), // no such slot
            new RetrainSlotsMerged("retrain-merge/r0/0", R.Id, 0, "m"),              // not every slot is in
            new RetrainTested("retrain-test/r0", R.Id, new TrainedModel(M, "w")),    // epochs are not done
        ];
        Assert.All(stale, r => Assert.True(schedule.OnResult(s, R.Id, r)!.Value.IsEmpty, $"{r} was not dropped"));
        Assert.Null(schedule.OnResult(s, R.Id, new RolloutScored("score/r0", R.Id, EvalSplit.Validation, M))); // not a retrain result
        // An event journaled twice (a replayed duplicate) changes nothing the second time.
        var again = new RetrainSliceCompleted(R.Id, 0, 0, "a", 1, 0.5, 32, 1);
        Assert.Equal(s.EpochSlices.Count, RetrainSchedule.Apply(s, new RetrainEpochCompleted(R.Id, 5, "x"))!.EpochSlices.Count);
        Assert.Same(s, RetrainSchedule.Apply(s, new RetrainEpochCompleted(R.Id, 5, "x")));
        Assert.Single(RetrainSchedule.Apply(s, again)!.EpochSlices);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(2, 3)]
    public void TrainPlan_must_replay_its_journal_into_the_live_state_and_resume_from_any_cut_to_the_same_result(int slots, int rounds)
    {
        var space = SearchSpace.Create("s", [Choice.Layer("op", "a", "b")]);
        TrainPlan Plan() => new(R, Fixtures.Retrain(epochs: 3, slots: slots, rounds: rounds));
        var live = PlanDriver.Run(Plan(), new FakeBackend(space), DriverOptions.Shuffled(3));
        Assert.True(live.Finished);
        IPlan plan = Plan();
        var typed = Plan();
        for (var i = 0; i < live.Events.Count; i++)
            PlanAssert.SameStatus(plan.Status(live.States[i]), plan.Status(typed.Replay(live.Events.Take(i + 1))));
        var final = plan.Status(live.Final);
        Assert.Equal(("finished", 3), (final.Phase, final.Retrained!.Epochs));
        for (var cut = 0; cut < live.Events.Count; cut++)
        {
            var resumed = PlanDriver.Resume(Plan(), new FakeBackend(space), live.Events, cut, DriverOptions.Shuffled(3));
            Assert.True(resumed.Finished);
            Assert.Equal(final.Retrained, plan.Status(resumed.Final).Retrained);
        }
        // Every epoch's checkpoint but the last is released during training, the last once the result is in.
        Assert.Equal(live.EventsOf<RetrainEpochCompleted>().Select(e => e.Checkpoint).Concat(live.EventsOf<RetrainRoundCompleted>().Select(e => e.Checkpoint))
                .Concat(live.EventsOf<RetrainSliceCompleted>().Select(e => e.Checkpoint)).Distinct().Order(),
            live.Released.Order());
    }
}
